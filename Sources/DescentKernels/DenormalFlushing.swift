#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the current thread flushes subnormal (denormal) floating-point numbers to zero
/// (`torch.set_flush_denormal(True)`; XLA, and so JAX, does this on the CPU by default).
///
/// Training produces subnormals in quiet corners: Adam's first moment of a unit that stays inactive
/// decays by β₁ every step and becomes subnormal after about 800 steps, and arithmetic on
/// subnormals is many times slower on x86. Flushing them (the SSE `FTZ` and `DAZ` bits) removes
/// that cost; values below about 1.2e-38 (Float) become 0, which changes results only there.
///
/// The setting belongs to the calling thread and stays until changed. Only x86-64 Linux is
/// supported; elsewhere setting it does nothing and reading it gives `false`.
public enum DenormalFlushing {
    /// `true` if the calling thread flushes subnormals to zero. The default value is `false`.
    public static var isEnabled: Bool {
        get {
            #if os(Linux) && arch(x86_64)
            var environment = fenv_t()
            fegetenv(&environment)
            return environment.__mxcsr & flushBits == flushBits
            #else
            return false
            #endif
        }
        set {
            #if os(Linux) && arch(x86_64)
            var environment = fenv_t()
            fegetenv(&environment)
            if newValue { environment.__mxcsr |= flushBits } else { environment.__mxcsr &= ~flushBits }
            fesetenv(&environment)
            #endif
        }
    }

    /// MXCSR bit 15 (flush results to zero) and bit 6 (treat subnormal inputs as zero).
    static let flushBits: UInt32 = 0x8040
}
