#!/bin/sh
# Makes the committed VideoTests fixtures with the ffmpeg CLI (Debian FFmpeg 5.1). Run from this folder.
set -eu
# 64x48, 10 fps, 2 s = 20 frames of H.264; the moov index is at the end of the file (ffmpeg's default).
ffmpeg -v error -y -f lavfi -i testsrc2=size=64x48:rate=10:duration=2 -c:v libx264 -preset veryfast \
    -pix_fmt yuv420p -g 10 clip.mp4
# The same with the index up front, then cut to 60%: the container promises 2 s, the data stops early.
ffmpeg -v error -y -i clip.mp4 -c copy -movflags +faststart /tmp/clip_faststart.mp4
size=$(stat -c %s /tmp/clip_faststart.mp4)
head -c $((size * 6 / 10)) /tmp/clip_faststart.mp4 > clip_truncated.mp4
# The first half of clip.mp4: the index at the end is gone, nothing can be demuxed.
size=$(stat -c %s clip.mp4)
head -c $((size / 2)) clip.mp4 > clip_no_index.mp4
# A faststart file whose compressed frames are overwritten with garbage from frame data onward.
cp /tmp/clip_faststart.mp4 clip_corrupt.mp4
python3 - <<'PY'
data = bytearray(open("clip_corrupt.mp4", "rb").read())
start = data.index(b"mdat") + 4 + 600
for i in range(start, len(data) - 200, 7):
    data[i] ^= 0x5A
open("clip_corrupt.mp4", "wb").write(data)
PY
printf 'this is a text file, not a video\n' > not_a_video.mp4
rm -f /tmp/clip_faststart.mp4
# Matroska keeps its duration in the header; cut to 60%, the stream stops short of it.
ffmpeg -v error -y -i clip.mp4 -c copy /tmp/clip.mkv
size=$(stat -c %s /tmp/clip.mkv)
head -c $((size * 6 / 10)) /tmp/clip.mkv > clip_truncated.mkv
rm -f /tmp/clip.mkv
