import Foundation
import Testing
@testable import DescentNN
import DescentCore

/// The safetensors reader and writer, on hand-made and deliberately broken files.
@Suite struct SafeTensorsTests {
    /// A file from a header string and data bytes, with the header length as given or computed.
    func file(header: String, data: [UInt8], headerLength: UInt64? = nil) -> Data {
        var bytes = Data()
        withUnsafeBytes(of: (headerLength ?? UInt64(header.utf8.count)).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(header.utf8))
        bytes.append(contentsOf: data)
        return bytes
    }

    @Test func writerPadsHeaderToEightBytesAndSortsNames() throws {
        let archive = SafeTensorsArchive(tensors: [
            "b": SafeTensor(Tensor<Float>([1, 2, 3])),
            "a": SafeTensor(Tensor<Double>([4])),
        ], metadata: ["format": "pt"])
        let data = archive.encoded()
        let headerLength = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        #expect(headerLength % 8 == 0)
        let header = try #require(String(data: data[8..<(8 + headerLength)], encoding: .utf8))
        // Names sorted; the 8-byte F64 tensor's data comes first (alignment), then the F32 one.
        #expect(header.trimmingCharacters(in: .whitespaces) == #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[3],"data_offsets":[8,20]}}"#)
        #expect(data.count == 8 + headerLength + 20)
        let back = try SafeTensorsArchive(data: data)
        #expect(back == archive)
        #expect(back.tensors["b"]!.tensor(as: Float.self).scalars == [1, 2, 3])
    }

    @Test func readsHalfBFloatAndIntegerTypes() throws {
        // F16 1.0 = 0x3C00, −2.0 = 0xC000, 0.5 = 0x3800; BF16 1.0 = 0x3F80, −3.0 = 0xC040; I64 7.
        let header = #"{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[6,10]},"n":{"dtype":"I64","shape":[],"data_offsets":[10,18]}}"#
        let data: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38, 0x80, 0x3F, 0x40, 0xC0, 7, 0, 0, 0, 0, 0, 0, 0]
        let archive = try SafeTensorsArchive(data: file(header: header, data: data))
        #expect(archive.tensors["h"]!.doubles == [1, -2, 0.5])
        #expect(archive.tensors["b"]!.doubles == [1, -3])
        #expect(archive.tensors["n"]!.doubles == [7])
        #expect(archive.tensors["n"]!.shape == [])
    }

    /// Each broken file must give a `SafeTensorsError` whose message names the problem.
    @Test(arguments: [
        ("empty", Data(), "too short"),
        ("header length beyond the file", Data([255, 0, 0, 0, 0, 0, 0, 0, 123]), "only 1 follow"),
        ("header length near 2⁶⁴", Data([255, 255, 255, 255, 255, 255, 255, 255, 123]), "only 1 follow"),
    ])
    func rejectsTruncatedFiles(_ name: String, _ data: Data, _ message: String) {
        #expect { try SafeTensorsArchive(data: data) } throws: { error in
            (error as? SafeTensorsError)?.message.contains(message) == true
        }
    }

    @Test func rejectsCorruptHeaders() throws {
        let cases: [(String, [UInt8], String)] = [
            ("not json", [], "does not start with `{`"),
            ("{\"a\": ", [], "not valid JSON"),
            (#"{"a":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "unknown or missing dtype"),
            (#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "non-negative"),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, [0, 0, 0, 0], "outside the 4 data bytes"),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], "needs 8 bytes"),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#,
             [0, 0, 0, 0, 0, 0, 0, 0], "overlap"),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, [0, 0, 0, 0, 0, 0, 0, 0], "gap"),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0, 9, 9], "cover 4 of the 6"),
            (#"{"a":{"dtype":"F32","shape":[1]}}"#, [0, 0, 0, 0], "data_offsets"),
            (#"{"a":[1,2]}"#, [], "not an object"),
            (#"{"__metadata__":{"k":1}}"#, [], "must be a string"),
        ]
        for (header, data, message) in cases {
            #expect(throws: SafeTensorsError.self, "\(header)") { try SafeTensorsArchive(data: file(header: header, data: data)) }
            do { _ = try SafeTensorsArchive(data: file(header: header, data: data)) } catch {
                #expect("\(error)".contains(message), "\(header): \(error)")
            }
        }
    }

    @Test func everyTruncationOfAValidFileIsAnErrorNotACrash() throws {
        var generator = RandomGenerator(seed: 5)
        let model = Sequential<Float>.mlp(inputs: 3, hiddenSizes: [2], outputs: 2, generator: &generator)
        let data = model.stateArchive().encoded()
        for length in 0..<data.count {
            #expect(throws: SafeTensorsError.self) { try SafeTensorsArchive(data: data.prefix(length)) }
        }
        #expect(try SafeTensorsArchive(data: data).names == ["0.bias", "0.weight", "2.bias", "2.weight"])
    }

    @Test func missingFileIsAClearError() {
        #expect { try SafeTensorsArchive(contentsOf: URL(fileURLWithPath: "/nonexistent/model.safetensors")) } throws: { error in
            "\(error)".contains("cannot read /nonexistent/model.safetensors")
        }
    }
}
