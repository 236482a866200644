import Foundation
import VigilCore
import Yams

/// A step's `after: [step-id, …]`: the steps that must be settled before it opens. Each entry
/// must name another step of the same playbook, and the steps must not wait for each other in
/// a circle, or none of them would ever open.
extension PlaybookDecoder {
    /// A step as decoded, with what its `after` checks need: where each entry was written.
    struct DecodedStep {
        var step: PlaybookStep
        /// `steps[2]`, for messages.
        var path: String
        var after: [(id: String, node: Node)]
        var afterKey: Node?
    }

    /// `after: [collect, verify]` (or one id without brackets); the step itself and repeats are
    /// reported and left out. Whether each id is a step is checked once all steps are known.
    func after(_ node: Node, at path: String, step: String?) -> [(id: String, node: Node)] {
        let items: [(text: String, node: Node)]
        if case .sequence = node {
            items = reader.strings(node, at: path) ?? []
        } else {
            items = reader.string(node, at: path).map { [($0, node)] } ?? []
        }
        var after: [(id: String, node: Node)] = []
        for item in items {
            let id = item.text.trimmingCharacters(in: .whitespaces)
            if id == step {
                reader.error("\(path) lists the step itself (\"\(id)\"); a step cannot wait for itself", at: item.node)
            } else if after.contains(where: { $0.id == id }) {
                reader.error("\"\(id)\" is listed twice in \(path)", at: item.node)
            } else {
                after.append((id, item.node))
            }
        }
        return after
    }

    /// The steps with `after` holding only ids of steps in the playbook; unknown ids and cycles
    /// are reported.
    func order(_ decoded: [DecodedStep]) -> [PlaybookStep] {
        let ids = decoded.map(\.step.id)
        var steps: [PlaybookStep] = []
        for item in decoded {
            var step = item.step
            let others = ids.filter { $0 != step.id }
            for entry in item.after where !ids.contains(entry.id) {
                let hint = YAMLReader.hint(for: entry.id, in: others)
                reader.error("\(item.path).after names \"\(entry.id)\", which is not a step of this playbook\(hint)", at: entry.node)
            }
            step.after = item.after.map(\.id).filter(ids.contains)
            steps.append(step)
        }
        reportCycles(steps, decoded: decoded)
        return steps
    }

    /// Reports each circle of steps waiting for each other once, at the `after` of its first
    /// step in file order, naming it: `a → b → a` (a waits for b, which waits for a).
    ///
    /// From each step, only steps later in the file are followed: a circle through an earlier
    /// step was found (and reported there) from that step, so none is reported twice.
    private func reportCycles(_ steps: [PlaybookStep], decoded: [DecodedStep]) {
        let position = Dictionary(steps.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        for start in steps.indices {
            // A step in a circle has an `after` key: it waits for the next one.
            guard let path = shortestCircle(from: start, steps: steps, position: position), let key = decoded[start].afterKey else {
                continue
            }
            let circle = (path + [start]).map { steps[$0].id }.joined(separator: " → ")
            reader.error(
                "\(decoded[start].path).after makes a cycle: \(circle) (each waits for the next, so none of them can open)", at: key)
        }
    }

    /// The positions on the shortest way from `start` back to itself along `after`, through
    /// steps at or after `start` only, beginning with `start`; `nil` when there is none.
    private func shortestCircle(from start: Int, steps: [PlaybookStep], position: [String: Int]) -> [Int]? {
        // Breadth-first, so the circle named is the shortest one.
        var cameFrom: [Int: Int] = [:]
        var queue = [start]
        var next = 0
        while next < queue.count {
            let current = queue[next]
            next += 1
            for id in steps[current].after {
                guard let target = position[id], target >= start else { continue }
                if target == start {
                    var path = [current]
                    while let previous = cameFrom[path[0]] { path.insert(previous, at: 0) }
                    return path
                }
                if cameFrom[target] == nil, target != start {
                    cameFrom[target] = current
                    queue.append(target)
                }
            }
        }
        return nil
    }
}
