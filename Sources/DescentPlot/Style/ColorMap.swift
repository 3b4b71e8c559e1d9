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

    /// Viridis, sampled from matplotlib's 256-entry table at every 16th entry
    /// (entries 0, 16, …, 240 and 255); linear interpolation between these stays within
    /// about 1/255 of the full table.
    public static let viridis: ColorMap = {
        let table: [(Double, Double, Double)] = [
            (0.267004, 0.004874, 0.329415), (0.282327, 0.094955, 0.417331), (0.278826, 0.175490, 0.483397),
            (0.258965, 0.251537, 0.524736), (0.229739, 0.322361, 0.545706), (0.199430, 0.387607, 0.554642),
            (0.172719, 0.448791, 0.557885), (0.149039, 0.508051, 0.557250), (0.127568, 0.566949, 0.550556),
            (0.120638, 0.625828, 0.533488), (0.157851, 0.683765, 0.501686), (0.246070, 0.738910, 0.452024),
            (0.369214, 0.788888, 0.382914), (0.515992, 0.831158, 0.294279), (0.678489, 0.863742, 0.189503),
            (0.845561, 0.887322, 0.099702),
        ]
        // Entry 255 sits 15/16 of a step beyond entry 240; extend the last segment to a full
        // step so the stops stay evenly spaced.
        let last = (0.993248, 0.906157, 0.143936)
        let before = table[table.count - 1]
        let extended = (
            before.0 + (last.0 - before.0) * 16 / 15, before.1 + (last.1 - before.1) * 16 / 15,
            before.2 + (last.2 - before.2) * 16 / 15)
        return ColorMap(stops: (table + [extended]).map { Color(red: $0.0, green: $0.1, blue: $0.2) })
    }()

    /// Grey scale from light grey (low) to near black (high).
    public static let grays = ColorMap(stops: [Color(hex: 0xF7F7F7), Color(hex: 0x252525)])

    /// White to Okabe–Ito blue, for confusion matrices where most cells are near zero.
    public static let blues = ColorMap(stops: [Color(hex: 0xFFFFFF), Color(hex: 0x56B4E9), Color(hex: 0x0072B2), Color(hex: 0x08306B)])
}
