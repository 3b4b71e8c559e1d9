import DescentCore
import DescentKernels
import DescentNN

/// The compiled form of a convolution, pooling or reshape layer, with one sample's shape after it;
/// `nil` for any other layer.
func spatialKind<Scalar: TensorScalar>(of layer: any Layer<Scalar>, index: Int, sampleShape: [Int]?) throws -> SpatialKind<Scalar>? {
    nil
}
