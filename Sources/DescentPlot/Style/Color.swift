import Foundation

/// An opaque sRGB colour with components in `0...1`.
public struct Color: Sendable, Hashable {
    /// The red component, `0...1`.
    public var red: Double
    /// The green component, `0...1`.
    public var green: Double
    /// The blue component, `0...1`.
    public var blue: Double

    /// Creates a colour from components in `0...1`; values outside are clamped.
    public init(red: Double, green: Double, blue: Double) {
        self.red = Self.clamp(red)
        self.green = Self.clamp(green)
        self.blue = Self.clamp(blue)
    }

    /// Creates a colour from a 24-bit value such as `0x0072B2`.
    public init(hex: UInt32) {
        self.init(
            red: Double((hex >> 16) & 0xFF) / 255,
            green: Double((hex >> 8) & 0xFF) / 255,
            blue: Double(hex & 0xFF) / 255)
    }

    /// The colour as a CSS/SVG hexadecimal string, such as `#0072b2`.
    public var hexString: String {
        func component(_ value: Double) -> String {
            let byte = Int((value * 255).rounded())
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }
        return "#" + component(red) + component(green) + component(blue)
    }

    /// Relative luminance (WCAG 2), `0` for black and `1` for white; used to pick a readable
    /// text colour on top of a filled cell.
    public var luminance: Double {
        func linear(_ channel: Double) -> Double {
            channel <= 0.040_45 ? channel / 12.92 : pow((channel + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    /// Linear interpolation in sRGB between `self` (at `fraction` 0) and `other` (at 1).
    public func mixed(with other: Color, fraction: Double) -> Color {
        let t = Self.clamp(fraction)
        return Color(
            red: red + (other.red - red) * t,
            green: green + (other.green - green) * t,
            blue: blue + (other.blue - blue) * t)
    }

    /// Black, `#000000`.
    public static let black = Color(hex: 0x000000)
    /// White, `#ffffff`.
    public static let white = Color(hex: 0xFFFFFF)
    /// The dark grey used for axes and text, `#333333`.
    public static let darkGray = Color(hex: 0x333333)
    /// The light grey used for grid lines, `#e6e6e6`.
    public static let lightGray = Color(hex: 0xE6E6E6)

    private static func clamp(_ value: Double) -> Double {
        value.isNaN ? 0 : min(max(value, 0), 1)
    }
}
