// VideoBench: how many frames per second video.encoder writes, per output format, at 64x64 and 256x256,
// and how fast video.source reads the H.264 file back. Runs each case several times and prints medians.
//
//   swift run -c release --scratch-path .build-video VideoBench [runs]
//
// The encoder runs as in a graph: one node, one thread (NodeContext.threads = 1), frames arriving in
// batches of 8. Frames are a moving square over a gradient with a little noise, so the codecs have real
// work to do, pre-generated so only encoding is timed.
import Foundation
import FlowKit
import VideoNodes

let runs = CommandLine.arguments.count > 1 ? max(1, Int(CommandLine.arguments[1]) ?? 5) : 5
let batchSize = 8

struct Case {
    var format: String
    var fileName: String
}

let cases = [
    Case(format: "mp4", fileName: "bench.mp4"),
    Case(format: "fmp4", fileName: "bench_f.mp4"),
    Case(format: "mjpeg", fileName: "bench.mkv"),
    Case(format: "png", fileName: "png/frame_%05d.png"),
]

/// Distinct frames to cycle through: 24 batches of 8.
func makeBatches(size: Int) -> [FrameBatch] {
    var generator = SystemRandomNumberGenerator()
    return (0..<24).map { b in
        var rgb = [UInt8](repeating: 0, count: size * size * 3 * batchSize)
        for f in 0..<batchSize {
            let frame = b * batchSize + f
            let sx = (frame * 2) % (size - size / 4), sy = (frame * 3) % (size - size / 4)
            for y in 0..<size {
                for x in 0..<size {
                    let i = ((f * size + y) * size + x) * 3
                    let square = x >= sx && x < sx + size / 4 && y >= sy && y < sy + size / 4
                    let noise = UInt8.random(in: 0...7, using: &generator)
                    rgb[i] = square ? 230 : UInt8(x * 255 / (size - 1)) &+ noise
                    rgb[i + 1] = square ? 40 : UInt8(y * 255 / (size - 1)) &+ noise
                    rgb[i + 2] = square ? 60 : UInt8((frame * 4) % 200) &+ noise
                }
            }
        }
        return FrameBatch(width: size, height: size, firstFrame: b * batchSize, fps: 16, rgb: rgb)
    }
}

func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Encodes `frames` frames and returns (wall seconds, CPU seconds), trailer included.
func encodeOnce(_ c: Case, batches: [FrameBatch], frames: Int, directory: String) throws -> (Double, Double) {
    let harness = try NodeHarness(VideoEncoderNode.self,
                                  params: ["path": .string(directory + "/" + c.fileName), "format": .string(c.format),
                                           "overwrite": .bool(true)], id: "video")
    let start = ContinuousClock.now
    let cpu = processCPUSeconds()
    var sent = 0
    while sent < frames {
        var batch = batches[(sent / batchSize) % batches.count]
        batch.firstFrame = sent
        try harness.feed("frames", Packet(position: sent / batchSize, payload: batch))
        sent += batch.count
    }
    try harness.close("frames")
    try harness.finish()
    let elapsed = ContinuousClock.now - start
    let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (wall, processCPUSeconds() - cpu)
}

func decodeOnce(_ path: String) throws -> (Int, Double) {
    let start = ContinuousClock.now
    let harness = try NodeHarness(VideoSourceNode.self, params: ["path": .string(path), "batch": .int(batchSize)])
    try harness.drainSource()
    try harness.finish()
    let elapsed = ContinuousClock.now - start
    let frames = try harness.payloads("frames", as: FrameBatch.self).reduce(0) { $0 + $1.count }
    return (frames, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

let directory = NSTemporaryDirectory() + "videobench-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }

print("VideoBench: \(ProcessInfo.processInfo.activeProcessorCount) cores, encoder threads 1, batches of \(batchSize), median of \(runs) runs")
print("size     format  frames  frames/s  ms/frame  CPU ms/frame  file bytes")
for size in [64, 256] {
    let batches = makeBatches(size: size)
    let frames = size == 64 ? 960 : 384
    for c in cases {
        var rates: [Double] = [], cpuPerFrame: [Double] = []
        for _ in 0..<runs {
            let (wall, cpu) = try encodeOnce(c, batches: batches, frames: frames, directory: directory)
            rates.append(Double(frames) / wall)
            cpuPerFrame.append(cpu / Double(frames) * 1000)
        }
        let bytes: Int
        if c.format == "png" {
            let names = try FileManager.default.contentsOfDirectory(atPath: directory + "/png")
            bytes = try names.reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: directory + "/png/" + $1)[.size] as? Int) ?? 0) }
        } else {
            bytes = (try FileManager.default.attributesOfItem(atPath: directory + "/" + c.fileName)[.size] as? Int) ?? 0
        }
        let rate = median(rates)
        print("\(size)x\(size)".padding(toLength: 9, withPad: " ", startingAt: 0)
              + c.format.padding(toLength: 8, withPad: " ", startingAt: 0)
              + String(frames).padding(toLength: 8, withPad: " ", startingAt: 0)
              + String(format: "%8.0f  %8.3f  %12.3f  %10d", rate, 1000 / rate, median(cpuPerFrame), bytes))
    }
    var decodeRates: [Double] = []
    for _ in 0..<runs {
        let (count, seconds) = try decodeOnce(directory + "/bench.mp4")
        decodeRates.append(Double(count) / seconds)
    }
    print("\(size)x\(size)".padding(toLength: 9, withPad: " ", startingAt: 0)
          + "video.source reads the mp4 at \(String(format: "%.0f", median(decodeRates))) frames/s")
}
