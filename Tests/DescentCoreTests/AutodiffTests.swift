import Testing
@testable import DescentCore

/// PyTorch's autograd semantics: accumulation, no-grad, detach, errors.
struct AutodiffTests {
    @Test func gradientsAccumulateAcrossBackwardCallsUntilZeroed() throws {
        let w = Tensor<Double>([1, 2]).requiringGradient()
        try (w * w).sum().backward()          // 2w = [2, 4]
        try (3 * w).sum().backward()          // + 3
        #expect(w.gradient?.scalars == [5, 7])
        w.gradient = nil
        try (w * w).sum().backward()
        #expect(w.gradient?.scalars == [2, 4])
    }

    @Test func backwardOnNonScalarNeedsASeed() throws {
        let w = Tensor<Double>([1, 2]).requiringGradient()
        #expect(throws: TensorError.nonScalarBackward(shape: [2])) { try (w * 2).backward() }
        try (w * 2).backward(seed: Tensor([1, 10]))
        #expect(w.gradient?.scalars == [2, 20])
    }

    @Test func backwardWithoutAnyGradientIsAnError() {
        let x = Tensor<Double>([1, 2])
        #expect(throws: TensorError.noGradientRequired) { try x.sum().backward() }
    }

    @Test func secondBackwardOnAReleasedGraphIsAnError() throws {
        let w = Tensor<Double>([3]).requiringGradient()
        let loss = (w * w).sum()
        try loss.backward()
        #expect(throws: TensorError.graphReleased) { try loss.backward() }
        let again = (w * w).sum()
        try again.backward(retainingGraph: true)
        try again.backward()
        #expect(w.gradient?.scalars == [18])  // 6 + 6 + 6
    }

    @Test func noGradientScopeRecordsNothing() {
        let w = Tensor<Double>([1]).requiringGradient()
        let y = withoutGradients { w * 2 }
        #expect(!y.requiresGradient)
        #expect((w * 2).requiresGradient)
    }

    @Test func detachStopsTheGradient() throws {
        let w = Tensor<Double>([2]).requiringGradient()
        try (w * w.detached()).sum().backward()   // d/dw (w·c) = c = 2, not 2w = 4
        #expect(w.gradient?.scalars == [2])
    }

    @Test func broadcastGradientReducesToTheOperandShape() throws {
        let bias = Tensor<Double>(zeros: [3]).requiringGradient()
        let x = try Tensor<Double>(shape: [4, 3], scalars: Array(repeating: 1, count: 12))
        try (x + bias).sum().backward()
        #expect(bias.gradient?.shape == [3])
        #expect(bias.gradient?.scalars == [4, 4, 4])
    }

    @Test func aValueUsedTwiceGetsBothContributions() throws {
        let w = Tensor<Double>([3]).requiringGradient()
        let a = w * 2
        try (a * a + a).sum().backward()   // d/dw (4w² + 2w) = 8w + 2 = 26
        #expect(w.gradient?.scalars == [26])
    }

    @Test func parameterUpdateInPlaceKeepsTheLeafAndDoesNotCopy() throws {
        let p = Parameter(Tensor<Double>([1, 2]))
        try (p.value * p.value).sum().backward()
        let before = p.value.storage.pointer
        p.updateInPlace { b in for i in b.indices { b[i] -= 0.5 * p.gradient!.scalars[i] } }
        #expect(p.value.scalars == [0, 0])
        #expect(p.value.storage.pointer == before)   // the released graph no longer shares the storage
        #expect(p.gradient?.scalars == [2, 4])
        p.isFrozen = true
        #expect(!p.value.requiresGradient)
    }

    @Test func valueSemanticsCopyOnWrite() {
        let a = Tensor<Float>([1, 2, 3])
        var b = a
        b[0] = 10
        #expect(a.scalars == [1, 2, 3])
        #expect(b.scalars == [10, 2, 3])
    }
}
