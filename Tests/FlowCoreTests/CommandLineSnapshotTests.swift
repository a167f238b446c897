import Foundation
import XCTest

/// `--snapshot` and `--resume` through the `flowrun` executable, with the shipped model and text encoder:
/// Ctrl-C saves the session, a foreign or damaged snapshot exits 2 saying why, a full disk exits 1 naming
/// the node, the file and the system's words, and leaves a playable video and a snapshot that loses no frame.
extension CommandLineTests {
    static var repo: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
    static var longlive: String { repo.appendingPathComponent("Graphs/longlive.yaml").path }

    /// Frames of the first video stream, counted by decoding; nil when ffprobe cannot read the file.
    static func decodedFrames(_ path: String) -> Int? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        p.arguments = ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return p.terminationStatus == 0 ? Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) : nil
    }

    /// The frame count in "flowrun: snapshot (N frames) written to ...".
    static func snapshotFrames(_ stderr: String) -> Int? {
        guard let range = stderr.range(of: #"snapshot \((\d+) frames\) written to"#, options: .regularExpression) else { return nil }
        return Int(stderr[range].split(separator: "(")[1].split(separator: " ")[0])
    }

    func testCtrlCSavesTheSessionAndResumeContinuesIt() throws {
        let dir = Fixtures.temporaryDirectory()
        let first = dir.appendingPathComponent("first.avi").path, snapshot = dir.appendingPathComponent("s.pb").path
        let r = try flowrun([Self.longlive, "--set", "frames=480", "--set", "out=\(first)", "--snapshot", snapshot, "--quiet"],
                            interruptWhen: { _ in ((try? FileManager.default.attributesOfItem(atPath: first)[.size] as? Int) ?? 0) > 40_000 })
        XCTAssertEqual(r.status, 130, r.stderr)
        let done = try XCTUnwrap(Self.snapshotFrames(r.stderr), r.stderr)
        XCTAssertEqual(Self.decodedFrames(first), done, "the video holds the frames the snapshot counts")
        let second = dir.appendingPathComponent("second.avi").path
        let resumed = try flowrun([Self.longlive, "--set", "frames=\(done + 12)", "--set", "out=\(second)", "--resume", snapshot, "--quiet"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("flowrun: resuming longlive from \(snapshot) (\(done) frames done)"), resumed.stderr)
        XCTAssertEqual(Self.decodedFrames(second), 12)
        // The file of the saved session is never overwritten by a resumed run.
        let clash = try flowrun([Self.longlive, "--set", "frames=\(done + 24)", "--set", "out=\(first)", "--resume", snapshot, "--quiet"])
        XCTAssertEqual(clash.status, 2, clash.stderr)
        XCTAssertTrue(clash.stderr.contains("\(first) holds frames 0..<\(done) of the saved session"), clash.stderr)
        XCTAssertEqual(Self.decodedFrames(first), done)
    }

    func testAForeignOrDamagedSnapshotExitsTwoSayingWhy() throws {
        let dir = Fixtures.temporaryDirectory()
        let snapshot = dir.appendingPathComponent("s.pb").path
        let made = try flowrun([Self.longlive, "--set", "frames=12", "--set", "out=\(dir.path)/a.avi", "--snapshot", snapshot, "--quiet"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let seed = try flowrun([Self.longlive, "--set", "frames=24", "--set", "seed=1", "--set", "out=\(dir.path)/b.avi", "--resume", snapshot])
        XCTAssertEqual(seed.status, 2, seed.stderr)
        XCTAssertTrue(seed.stderr.contains("flowrun: error: --resume: cannot resume from \(snapshot): it was made by a different graph or model:\n  node 'gen/denoise' (denoiser.block): seed is 0 in the snapshot, 1 now\n"), seed.stderr)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: snapshot))
        let cut = dir.appendingPathComponent("cut.pb").path
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        let damaged = try flowrun([Self.longlive, "--set", "frames=24", "--set", "out=\(dir.path)/c.avi", "--resume", cut])
        XCTAssertEqual(damaged.status, 2, damaged.stderr)
        XCTAssertTrue(damaged.stderr.contains("flowrun: error: --resume: \(cut): not a usable snapshot: record "), damaged.stderr)
        XCTAssertTrue(damaged.stderr.contains("(truncated)"), damaged.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir.path)/c.avi"))
    }

    /// The issue's measurement, smaller: a long run writing to a 16 KB tmpfs. Needs permission to mount (root);
    /// FullDiskTests checks the same on a simulated disk everywhere.
    func testAFullDiskStopsTheRunWithAPlayableVideoAndASnapshot() throws {
        let mountPoint = Fixtures.temporaryDirectory().appendingPathComponent("tiny")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=16k", "tmpfs", mountPoint.path]
        mount.standardError = FileHandle.nullDevice
        try mount.run()
        mount.waitUntilExit()
        try XCTSkipUnless(mount.terminationStatus == 0, "cannot mount a tmpfs here (needs root)")
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [mountPoint.path]
            try? umount.run()
            umount.waitUntilExit()
        }
        let video = mountPoint.appendingPathComponent("long.mp4").path
        let snapshot = Fixtures.temporaryDirectory().appendingPathComponent("full.pb").path
        let r = try flowrun([Self.longlive, "--set", "frames=2400", "--set", "out=\(video)", "--snapshot", snapshot, "--quiet"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("error: node 'gen/video' (video.encoder) failed: video.encoder: writing to \(video): No space left on device"), r.stderr)
        let frames = try XCTUnwrap(Self.decodedFrames(video), "the video left on the full disk does not play")
        XCTAssertGreaterThan(frames, 0)
        XCTAssertEqual(frames % 32, 0, "whole two-second fragments")
        let done = try XCTUnwrap(Self.snapshotFrames(r.stderr), r.stderr)
        XCTAssertGreaterThan(done, frames, "frames made after the last whole fragment wait in the snapshot")
        // Resumed on a disk with room: the frames the full disk could not take come first, so no frame made is lost.
        let next = Fixtures.temporaryDirectory().appendingPathComponent("next.mp4").path
        let resumed = try flowrun([Self.longlive, "--set", "frames=\(done + 12)", "--set", "out=\(next)", "--resume", snapshot, "--quiet"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(Self.decodedFrames(next), done + 12 - frames)
    }
}
