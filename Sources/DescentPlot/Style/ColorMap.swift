/// A continuous colour scale mapping `0...1` to a colour, for heat maps and contour plots.
///
/// The default, `ColorMap.viridis`, is perceptually uniform (equal steps in value look like
/// equal steps in colour), stays readable in grey scale and for colour-blind readers.
/// Reference: van der Walt & Smith, matplotlib's viridis, 2015 (CC0).
public struct ColorMap: Sendable, Hashable {
    /// Colours at evenly spaced positions from 0 to 1; values between are interpolated.
    public var stops: [Color]

    /// Creates a colour map from at least two evenly spaced `stops`.
    public init(stops: [Color]) {
        precondition(stops.count >= 2, "A colour map needs at least two stops.")
        self.stops = stops
    }

    /// The colour at `fraction` in `0...1` (clamped; NaN maps to the lowest colour).
    public func color(at fraction: Double) -> Color {
        let t = fraction.isNaN ? 0 : min(max(fraction, 0), 1)
        let position = t * Double(stops.count - 1)
        let lower = min(Int(position), stops.count - 2)
        return stops[lower].mixed(with: stops[lower + 1], fraction: position - Double(lower))
    }

    /// Viridis: matplotlib's 256-entry table, kept at every 16th entry (0, 16, …, 240) and the
    /// last (255), then resampled at 17 evenly spaced stops; linear interpolation between them
    /// stays within about 1/255 of the full table.
    public static let viridis: ColorMap = {
        let anchors: [(Double, Double, Double)] = [
            (0.267004, 0.004874, 0.329415), (0.282327, 0.094955, 0.417331), (0.278826, 0.175490, 0.483397),
            (0.258965, 0.251537, 0.524736), (0.229739, 0.322361, 0.545706), (0.199430, 0.387607, 0.554642),
            (0.172719, 0.448791, 0.557885), (0.149039, 0.508051, 0.557250), (0.127568, 0.566949, 0.550556),
            (0.120638, 0.625828, 0.533488), (0.157851, 0.683765, 0.501686), (0.246070, 0.738910, 0.452024),
            (0.369214, 0.788888, 0.382914), (0.515992, 0.831158, 0.294279), (0.678489, 0.863742, 0.189503),
            (0.845561, 0.887322, 0.099702), (0.993248, 0.906157, 0.143936),
        ]
        let colors = anchors.map { Color(red: $0.0, green: $0.1, blue: $0.2) }
        let indices = (0..<16).map { Double($0 * 16) } + [255]
        let stops = (0...16).map { stop -> Color in
            let index = 255 * Double(stop) / 16
            let segment = min(Int(index / 16), 15)
            return colors[segment].mixed(with: colors[segment + 1], fraction: (index - indices[segment]) / (indices[segment + 1] - indices[segment]))
        }
        return ColorMap(stops: stops)
    }()

    /// Grey scale from light grey (low) to near black (high).
    public static let grays = ColorMap(stops: [Color(hex: 0xF7F7F7), Color(hex: 0x252525)])

    /// White to Okabe–Ito blue, for confusion matrices where most cells are near zero.
    public static let blues = ColorMap(stops: [Color(hex: 0xFFFFFF), Color(hex: 0x56B4E9), Color(hex: 0x0072B2), Color(hex: 0x08306B)])

    /// Diverging blue (low) – white (0) – red (high), for signed values such as weights; the
    /// endpoints are ColorBrewer's RdBu (Brewer, colorbrewer2.org, Apache 2.0).
    public static let redBlue = ColorMap(stops: [Color(hex: 0x2166AC), Color(hex: 0x92C5DE), Color(hex: 0xF7F7F7), Color(hex: 0xF4A582), Color(hex: 0xB2182B)])
}
