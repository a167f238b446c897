import Foundation
import XCTest

/// What ffprobe says about the first video stream of a file (or an image-sequence pattern).
struct ProbeResult {
    var codec: String
    var frames: Int
    var frameRate: Double
    var duration: Double?
    var width: Int
    var height: Int
    var pixelFormat: String
}

/// Runs the ffprobe CLI, an implementation independent of the code under test, and decodes every frame.
func ffprobe(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> ProbeResult {
    let output = try runTool("/usr/bin/ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0",
        "-show_entries", "stream=codec_name,nb_read_frames,avg_frame_rate,width,height,pix_fmt:format=duration",
        "-of", "json", path])
    let json = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
    let stream = try XCTUnwrap((json?["streams"] as? [[String: Any]])?.first, "ffprobe found no video stream in \(path): \(output)", file: file, line: line)
    let format = json?["format"] as? [String: Any]
    func rate(_ text: String?) -> Double {
        let parts = (text ?? "0/1").split(separator: "/").compactMap { Double($0) }
        return parts.count == 2 && parts[1] != 0 ? parts[0] / parts[1] : 0
    }
    return ProbeResult(codec: stream["codec_name"] as? String ?? "",
                       frames: Int(stream["nb_read_frames"] as? String ?? "") ?? -1,
                       frameRate: rate(stream["avg_frame_rate"] as? String),
                       duration: (format?["duration"] as? String).flatMap(Double.init),
                       width: stream["width"] as? Int ?? 0,
                       height: stream["height"] as? Int ?? 0,
                       pixelFormat: stream["pix_fmt"] as? String ?? "")
}

/// Runs a tool and returns its standard output; fails with its standard error when it exits non-zero.
@discardableResult
func runTool(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ToolFailure(message: "\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self)
}

struct ToolFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
