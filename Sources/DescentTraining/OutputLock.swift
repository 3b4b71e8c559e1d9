import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One writer per output folder: an exclusive `flock` on `.descent.lock` inside the folder, held
/// while the object lives (the kernel drops it when the process ends, however it ends, so a crashed
/// run leaves no stale lock). The file holds the holder's process id and command line, so a second
/// run can say who has the folder. Two runs writing one folder would otherwise mix their
/// checkpoints without a word.
public final class OutputLock {
    /// The lock file's name inside the folder.
    public static let fileName = ".descent.lock"
    /// The folder.
    public let directory: URL
    private let descriptor: Int32

    private init(directory: URL, descriptor: Int32) {
        self.directory = directory
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }  // closing the only descriptor releases the lock

    /// Creates `directory` if needed and takes its lock.
    /// - Parameters:
    ///   - holder: what the lock file says holds it. The default value is this process's
    ///     command line.
    ///   - directory: the output folder to lock.
    /// - Throws: ``CheckpointError`` when the path is a file, the folder cannot be created or
    ///   written (read-only, no space), or another process holds the lock (naming that process).
    public static func acquire(_ directory: URL, holder: String = CommandLine.arguments.joined(separator: " ")) throws -> OutputLock {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CheckpointError("\(directory.path) is a file, not a folder; give --output a folder name (it is created if missing)")
        }
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw CheckpointError("cannot create the output folder \(directory.path): \(systemReason(error)); choose a folder you can write to")
        }
        let path = directory.appendingPathComponent(fileName).path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            throw CheckpointError("cannot write into the output folder \(directory.path) (\(String(cString: strerror(code)))); choose a folder you can write to")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let owner = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            guard code == EWOULDBLOCK else {
                throw CheckpointError("cannot lock the output folder \(directory.path): \(String(cString: strerror(code)))")
            }
            throw CheckpointError("\(directory.path) is in use by another run (\(owner.isEmpty ? "a process that has not yet said which" : owner)); "
                                  + "wait for it to finish, or choose another --output folder")
        }
        // Says who holds the lock (best effort: the lock itself is what counts).
        let text = "process \(getpid()): \(holder)\n"
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return OutputLock(directory: directory, descriptor: descriptor)
    }

    private static func systemReason(_ error: Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let code = underlying?.code, underlying?.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(code))) }
        return error.localizedDescription
    }
}
