/// The "did you mean" of error messages: the candidate closest to a misspelt word.
///
/// Closeness is the Damerau–Levenshtein distance (insertions, deletions, substitutions and
/// swaps of neighbours each cost 1) between the lowercased words, so `tmax` finds `tMax` and
/// `trian.csv` finds `train.csv`. A candidate is suggested only when it is within a third of
/// the word's length (at least 1, at most 3 edits): a suggestion far from what was typed is
/// noise. Ties go to the candidate listed first.
public enum Suggestion {
    /// The candidate closest to `word`, or `nil` when none is close enough (or `word` is one of them).
    ///
    ///     Suggestion.closest(to: "tmax", among: ["tMax", "etaMin"])   // "tMax"
    public static func closest(to word: String, among candidates: some Sequence<String>) -> String? {
        let typed = Array(word.lowercased())
        let limit = min(3, max(1, typed.count / 3))
        var best: (candidate: String, distance: Int)?
        for candidate in candidates where candidate != word {
            let distance = editDistance(typed, Array(candidate.lowercased()))
            if distance <= limit, distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// `" (did you mean `X`?)"` for the closest candidate, or `""` when there is none; ready to
    /// append to the part of a message that names `word`.
    public static func didYouMean(_ word: String, among candidates: some Sequence<String>) -> String {
        closest(to: word, among: candidates).map { " (did you mean `\($0)`?)" } ?? ""
    }

    /// The optimal-string-alignment distance between `a` and `b` (one row of the table at a time).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousRow = [Int](repeating: 0, count: b.count + 1)
        var row = Array(0...b.count)
        var beforePrevious = row
        for i in 1...a.count {
            beforePrevious = previousRow
            previousRow = row
            row[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                row[j] = min(previousRow[j] + 1, row[j - 1] + 1, previousRow[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    row[j] = min(row[j], beforePrevious[j - 2] + 1)
                }
            }
        }
        return row[b.count]
    }
}
