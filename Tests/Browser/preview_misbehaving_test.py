"""The preview against clients that misbehave: garbage after the WebSocket handshake, a huge message,
a prompt that is too long, a foreign Origin, a viewer that never reads, abrupt closes. Each is
answered (an error message or a close code) and logged; the run goes on, other viewers keep
getting frames, and at the end of the run the server stops by itself. Run by scripts/browser-test.

    FLOWRUN=.build/debug/flowrun python3 Tests/Browser/preview_misbehaving_test.py
"""
import base64
import hashlib
import shutil
import subprocess
import tempfile
import json
import os
import socket
import struct
import time
import urllib.request

import websocket  # websocket-client, installed with selenium

from preview_support import REPO, ServedRun, flowrun_binary


def raw_handshake(run, origin=None):
    """A WebSocket opened by hand, so the test can send what no library would."""
    s = socket.create_connection((run.host, run.port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET /ws HTTP/1.1", f"Host: {run.host}:{run.port}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    if origin:
        lines.append(f"Origin: {origin}")
    s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = s.recv(4096)
        if not chunk:
            break
        response += chunk
    return s, response.split(b"\r\n", 1)[0].decode(errors="replace")


def masked_frame(opcode, payload):
    mask = os.urandom(4)
    header = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        header += bytes([0x80 | n])
    elif n < 65536:
        header += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        header += bytes([0x80 | 127]) + struct.pack(">Q", n)
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def read_close_code(s, timeout=10):
    """Reads frames until a close frame; returns its code (None when the peer just hung up)."""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return None
            data += chunk
            while len(data) >= 2:
                opcode, n = data[0] & 0x0F, data[1] & 0x7F
                offset = 2
                if n == 126:
                    if len(data) < 4: break
                    n, offset = struct.unpack(">H", data[2:4])[0], 4
                elif n == 127:
                    if len(data) < 10: break
                    n, offset = struct.unpack(">Q", data[2:10])[0], 10
                if len(data) < offset + n:
                    break
                payload, data = data[offset:offset + n], data[offset + n:]
                if opcode == 0x8:
                    return struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
    except (socket.timeout, ConnectionResetError):
        return None


def frames_received(ws, seconds):
    """Binary messages a well-behaved viewer gets in this many seconds."""
    deadline, n = time.time() + seconds, 0
    ws.settimeout(1)
    while time.time() < deadline:
        try:
            opcode, _ = ws.recv_data()
            n += opcode == websocket.ABNF.OPCODE_BINARY
        except websocket.WebSocketTimeoutException:
            pass
    return n


def decoded_digest(path):
    raw = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    assert raw, f"{path} decodes to nothing"
    return hashlib.sha256(raw).hexdigest()


def main():
    out = tempfile.mkdtemp(prefix="flowrun-preview-")
    frames = "480"   # long enough (40 blocks) that the run outlives the misbehaving clients on a fast machine
    run = ServedRun("Graphs/interactive.yaml", "--serve", "--quiet", "--set", f"frames={frames}", "--set", f"out={out}/served.mp4")
    try:
        ws_url = f"ws://{run.host}:{run.port}/ws"
        good = websocket.create_connection(ws_url, timeout=10)

        # A viewer that never reads: its socket fills, the server keeps only the newest frame for it.
        stalled, status = raw_handshake(run)
        assert status.startswith("HTTP/1.1 101"), status

        # A foreign page: refused before the upgrade.
        s, status = raw_handshake(run, origin="http://evil.example")
        assert status.startswith("HTTP/1.1 403"), status
        s.close()

        # Garbage after the handshake: not a WebSocket frame; the server closes with a protocol error.
        s, status = raw_handshake(run)
        assert status.startswith("HTTP/1.1 101"), status
        # A frame with a reserved opcode, then noise.
        s.sendall(b"\x83\x80\x00\x00\x00\x00" + b"\xff" * 64)
        code = read_close_code(s)
        print(f"garbage frames: closed with code {code}")
        assert code in (1002, 1009), code
        s.close()

        # A huge message (1 MiB): more than a viewer may send; closed with 1009 (message too big).
        s, _ = raw_handshake(run)
        try:
            s.sendall(masked_frame(0x1, b"x" * (1 << 20)))
        except (BrokenPipeError, ConnectionResetError):
            pass
        code = read_close_code(s)
        print(f"huge message: closed with code {code}")
        assert code in (1009, None), code
        s.close()

        # Messages that are well-formed frames but bad requests: each answered with an error.
        bad = websocket.create_connection(ws_url, timeout=10)
        for message in ["not json", json.dumps({"type": "prompt", "text": "x" * 5000}), json.dumps({"type": "shutdown"}),
                        json.dumps({"type": "prompt", "text": "a\nb"}), json.dumps({"type": "prompt", "text": ""})]:
            bad.send(message)
            while True:
                reply = json.loads(bad.recv())
                if reply["type"] != "status":
                    break
            assert reply["type"] == "error", reply
            print(f"{message[:40]!r}: {reply['message']}")
        bad.send_binary(b"\x00\x01")
        # Abrupt closes: a socket dropped mid-handshake and a viewer that vanishes without a close frame.
        half = socket.create_connection((run.host, run.port))
        half.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\n")
        half.close()
        bad.sock.close()

        # Through all of that, a good viewer keeps getting frames and /metrics answers.
        n = frames_received(good, 4)
        assert n > 0, "the well-behaved viewer stopped getting frames"
        print(f"well-behaved viewer: {n} frame messages in 4 s")
        metrics = urllib.request.urlopen(run.url + "metrics", timeout=10).read().decode()
        rejected = [l for l in metrics.splitlines() if l.startswith("flowrun_preview_messages_rejected_total")]
        print(rejected[0])
        assert float(rejected[0].split()[-1]) >= 7

        # The run ends by itself: the good viewer gets the final status and a normal close.
        final = None
        good.settimeout(300)
        while True:
            try:
                opcode, data = good.recv_data()
            except websocket.WebSocketConnectionClosedException:
                break
            if opcode == websocket.ABNF.OPCODE_TEXT:
                final = json.loads(data)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                break
        assert final and final["state"] == "completed", final
        status = run.process.wait(60)
        assert status == 0, f"exit status {status}\n{run.log()}"
        stalled.close()
    finally:
        run.stop()
    log = run.log()
    print(log)
    assert "rejected a message" in log and "refused a WebSocket" in log and "bad frame" in log, log

    # Viewers never touch the video: the same run without a preview writes the same frames.
    plain = subprocess.run([flowrun_binary(), "Graphs/interactive.yaml", "--quiet", "--set", f"frames={frames}",
                            "--set", f"out={out}/plain.mp4"], cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    digests = [decoded_digest(f"{out}/{name}.mp4") for name in ("served", "plain")]
    assert digests[0] == digests[1], "the MP4 made with viewers differs from the one made without"
    print(f"MP4 with viewers == MP4 without ({frames} frames, decoded sha256 {digests[0][:16]})")
    shutil.rmtree(out, ignore_errors=True)
    print("preview misbehaving-client test: ok")


if __name__ == "__main__":
    main()
