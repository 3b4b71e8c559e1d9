import DescentCore
import Foundation

/// The parameters, buffers and sublayers of a layer, with their dotted names, found by reflection.
///
/// Names follow PyTorch's `state_dict`: a sublayer held in property `hidden` contributes
/// `hidden.weight`; the layers of a ``Sequential`` are named by position (`0.weight`, `2.bias`);
/// an array property `blocks` of layers gives `blocks.0.weight` (as `torch.nn.ModuleList`). A
/// layer's own parameters and buffers come first, in declaration order, then its sublayers'.
/// A parameter reachable under two names (weight tying) is listed once, under the first.
struct LayerStructure<Scalar: TensorScalar> {
    var parameters: [(name: String, parameter: Parameter<Scalar>)] = []
    var buffers: [(name: String, buffer: Buffer<Scalar>)] = []
    /// Parameters and buffers in PyTorch's `state_dict` order (each layer's own, then its sublayers').
    var stateOrder: [(name: String, isParameter: Bool, index: Int)] = []
    /// Every layer below the root (not the root itself), with its name.
    var sublayers: [(name: String, layer: any Layer<Scalar>)] = []

    init(root: any Layer<Scalar>) {
        var seen: Set<ObjectIdentifier> = []
        collect(root, prefix: "", seen: &seen)
    }

    private mutating func collect(_ layer: any Layer<Scalar>, prefix: String, seen: inout Set<ObjectIdentifier>) {
        var children: [(String, any Layer<Scalar>)] = []
        if let sequential = layer as? Sequential<Scalar> {
            for (index, child) in sequential.layers.enumerated() { children.append(("\(index)", child)) }
        } else {
            let renamed = (layer as? CustomStateNames)?.stateNames ?? [:]
            var mirror: Mirror? = Mirror(reflecting: layer)
            var levels: [Mirror] = []
            while let m = mirror { levels.append(m); mirror = m.superclassMirror }
            // Superclass properties first, as they are declared first.
            for level in levels.reversed() {
                for child in level.children {
                    guard let label = child.label else { continue }
                    visit(child.value, name: renamed[label] ?? label, seen: &seen, children: &children)
                }
            }
        }
        for (name, child) in children {
            let full = prefix + name
            if seen.insert(ObjectIdentifier(child)).inserted {
                sublayers.append((full, child))
                collect(child, prefix: full + ".", seen: &seen)
            }
        }

        func qualified(_ name: String) -> String { prefix + name }

        func visit(_ value: Any, name: String, seen: inout Set<ObjectIdentifier>, children: inout [(String, any Layer<Scalar>)]) {
            if let parameter = value as? Parameter<Scalar> {
                if seen.insert(ObjectIdentifier(parameter)).inserted {
                    stateOrder.append((qualified(name), true, parameters.count))
                    parameters.append((qualified(name), parameter))
                }
            } else if let buffer = value as? Buffer<Scalar> {
                if seen.insert(ObjectIdentifier(buffer)).inserted {
                    stateOrder.append((qualified(name), false, buffers.count))
                    buffers.append((qualified(name), buffer))
                }
            } else if let child = value as? any Layer<Scalar> {
                children.append((name, child))
            } else if let list = value as? [any Layer<Scalar>] {
                for (index, child) in list.enumerated() { children.append(("\(name).\(index)", child)) }
            } else if let list = value as? [Parameter<Scalar>] {
                for (index, parameter) in list.enumerated() where seen.insert(ObjectIdentifier(parameter)).inserted {
                    stateOrder.append((qualified("\(name).\(index)"), true, parameters.count))
                    parameters.append((qualified("\(name).\(index)"), parameter))
                }
            }
        }
    }
}

/// Caches each layer object's ``LayerStructure`` so reflection runs once per model.
final class LayerStructureCache: @unchecked Sendable {
    static let shared = LayerStructureCache()
    private struct Entry {
        weak var owner: AnyObject?
        let structure: Any
    }
    private let lock = NSLock()
    private var entries: [ObjectIdentifier: Entry] = [:]

    func structure<Scalar: TensorScalar>(of layer: any Layer<Scalar>) -> LayerStructure<Scalar> {
        let key = ObjectIdentifier(layer)
        lock.lock()
        // The weak reference guards against a new object reusing a freed object's address.
        if let entry = entries[key], entry.owner === layer, let structure = entry.structure as? LayerStructure<Scalar> {
            lock.unlock()
            return structure
        }
        lock.unlock()
        let structure = LayerStructure(root: layer)
        lock.lock()
        if entries.count > 4096 { entries = entries.filter { $0.value.owner != nil } }
        entries[key] = Entry(owner: layer, structure: structure)
        lock.unlock()
        return structure
    }
}
