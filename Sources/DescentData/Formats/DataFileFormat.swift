/// The kinds of data file Descent reads, told apart by their content rather than their name.
///
///     switch try DataFileFormat.detect(path: "train-images-idx3-ubyte.gz") {
///     case .csv: …    // CSVLoader
///     case .idx: …    // IDXLoader
///     case .npy: …    // NPYLoader
///     }
///
/// - NumPy: `numpy.load` also decides by the magic bytes (`.npy` versus pickle versus `.npz`).
public enum DataFileFormat: String, Equatable, Sendable, Codable, CaseIterable {
    /// Delimited text (CSV, TSV, semicolon-separated …), plain or gzip.
    case csv
    /// An IDX array (MNIST, Fashion-MNIST, EMNIST images or labels), plain or gzip.
    case idx
    /// A NumPy `.npy` array (plain; gzip is read, but not memory-mapped or streamed).
    case npy

    /// What every data command accepts, for messages.
    public static let supportedDescription =
        "CSV/TSV (plain or .gz), IDX images and labels (plain or .gz, as MNIST and Fashion-MNIST), NumPy .npy"

    /// The format of the file at `path`, from its first bytes (decompressed first if it is gzip):
    ///
    /// - `93 4E 55 4D 50 59` (`\x93NUMPY`) is `.npy`;
    /// - `00 00 <type> <rank>` with a known IDX element type (08, 09, 0B, 0C, 0D, 0E), a rank from
    ///   1 to 8 and a complete header is IDX. The data size is checked by the loader, not here, so
    ///   that a truncated download is reported as a truncated IDX file rather than as unsupported;
    /// - text (no NUL byte and at most 1% other control characters in the first 8 KiB; any 8-bit
    ///   encoding, so Latin-1 files pass) is CSV, and so is an empty file (the CSV reader then says
    ///   it is empty).
    ///
    /// - Throws: ``DataError`` if the file cannot be read, or is binary but none of these: the
    ///   message shows its first bytes in hex, names the format when it is a known one (zip or
    ///   `.npz`, Parquet, HDF5, UTF-16 text) and lists what is supported.
    public static func detect(path: String) throws -> DataFileFormat {
        let head = try FileBytes.head(of: path, count: 8192)
        let bytes = head.bytes
        if bytes.starts(with: NPYLoader.magic) { return .npy }
        if looksLikeIDX(bytes) { return .idx }
        if let problem = binaryProblem(bytes) {
            throw DataError(file: path, "\(head.isGzip ? "after gzip decompression, " : "")not CSV text, IDX or .npy "
                            + "(first bytes: \(Array(bytes.prefix(16)).hexDescription)\(problem.isEmpty ? "" : "; " + problem)); "
                            + "supported: \(supportedDescription)")
        }
        return .csv
    }

    /// `true` if the file starts with the gzip magic bytes `1f 8b` (gzip files cannot be
    /// memory-mapped or streamed; they are decompressed into memory).
    public static func isGzipCompressed(path: String) -> Bool { FileBytes.isGzip(path) }

    /// IDX magic with a known type, a plausible rank and the whole header present.
    static func looksLikeIDX(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else { return false }
        guard [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E].contains(bytes[2]) else { return false }
        let rank = Int(bytes[3])
        return (1...8).contains(rank) && bytes.count >= 4 + 4 * rank
    }

    /// `nil` for text; otherwise why it is not text (empty when there is nothing more to say).
    static func binaryProblem(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return "UTF-16 text: save it as UTF-8"
        }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return "a zip archive: an .npz file holds .npy arrays, unzip it and pass the .npy files"
        }
        if bytes.starts(with: Array("PAR1".utf8)) { return "a Parquet file: export it to CSV or .npy" }
        if bytes.starts(with: [0x89, 0x48, 0x44, 0x46]) { return "an HDF5 file: export the arrays to .npy" }
        if bytes.starts(with: [0x00, 0x00]), bytes.count >= 4 {
            return "it starts like IDX, but type 0x\([bytes[2]].hexDescription) or rank \(bytes[3]) is not valid IDX"
        }
        var controls = 0
        for byte in bytes {
            if byte == 0 { return "" }
            // Tab, line feed, vertical tab, form feed, carriage return and escape occur in text files.
            if byte < 0x20 && !(0x09...0x0D).contains(byte) && byte != 0x1B { controls += 1 }
        }
        return controls * 100 > bytes.count ? "" : nil
    }
}
