/// "Did you mean …": the closest candidates to a misspelt word.
public enum Suggestions {
    /// Candidates within an edit distance that grows with the word's length (1 up to 4 letters,
    /// then 2), closest first; a prefix of a candidate also counts (`esc` → `escalate`).
    public static func closest(to word: String, in candidates: [String]) -> [String] {
        let lowered = word.lowercased()
        guard !lowered.isEmpty else { return [] }
        let limit = lowered.count <= 4 ? 1 : 2
        let scored = candidates.compactMap { candidate -> (String, Int)? in
            let target = candidate.lowercased()
            if target.hasPrefix(lowered), lowered.count >= 2 { return (candidate, 0) }
            let distance = editDistance(lowered, target)
            return distance <= limit ? (candidate, distance) : nil
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.map(\.0)
    }

    /// Damerau–Levenshtein distance (optimal string alignment): swaps count as one edit.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }

    /// `a`, `a or b`, `a, b or c`.
    public static func orList(_ words: [String]) -> String {
        switch words.count {
        case 0: ""
        case 1: words[0]
        default: words.dropLast().joined(separator: ", ") + " or " + words.last!
        }
    }

    /// `a`, `a and b`, `a, b and c`: every one of them, never rewritten inside the words.
    public static func andList(_ words: [String]) -> String {
        switch words.count {
        case 0: ""
        case 1: words[0]
        default: words.dropLast().joined(separator: ", ") + " and " + words.last!
        }
    }
}
