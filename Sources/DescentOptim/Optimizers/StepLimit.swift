/// The most optimizer steps Descent counts: 2⁵³, the largest whole number a `Double` holds exactly
/// (bias corrections such as Adam's `1 − β₁ᵗ` compute with `Double(t)`). A step count read from
/// a checkpoint beyond it is refused as edited or damaged, so `step += 1` can never overflow.
public let maximumStepCount = 1 << 53
