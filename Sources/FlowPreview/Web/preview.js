// The flowrun preview page: frames arrive as binary WebSocket messages (see FrameMessage.swift for the
// layout) and are drawn on the canvas; status arrives as JSON twice a second; the prompt box sends
// {"type":"prompt","text":...}, which flowrun applies exactly like a line typed at its terminal.
"use strict";

const canvas = document.getElementById("video");
const ctx = canvas.getContext("2d", { willReadFrequently: true });
const $ = (id) => document.getElementById(id);
// Read by the browser test (Tests/PreviewTests/browser_test.py).
const preview = (window.flowrunPreview = { framesDrawn: 0, lastFrame: -1, lastGeneration: -1, status: null, messages: [] });

// Frames wait here until drawn; when they pile up (generation outruns drawing) the oldest go, so the
// page always shows the newest video.
let queue = [];
let image = null;

function onFrames(buffer) {
  const v = new DataView(buffer);
  if (buffer.byteLength < 20 || v.getUint8(0) !== 1) return;
  const w = v.getUint16(2, true), h = v.getUint16(4, true), n = v.getUint16(6, true);
  const first = v.getUint32(8, true), generation = v.getInt32(12, true);
  const size = w * h * 3;
  if (buffer.byteLength < 20 + n * size) return;
  for (let i = 0; i < n; i++) {
    queue.push({ w, h, index: first + i, generation, rgb: new Uint8Array(buffer, 20 + i * size, size) });
  }
  if (queue.length > 24) queue = queue.slice(-8);
}

function draw() {
  const f = queue.shift();
  if (!f) return;
  if (!image || image.width !== f.w || image.height !== f.h) {
    canvas.width = f.w;
    canvas.height = f.h;
    image = ctx.createImageData(f.w, f.h);
  }
  const px = image.data;
  for (let s = 0, d = 0; s < f.rgb.length; s += 3, d += 4) {
    px[d] = f.rgb[s]; px[d + 1] = f.rgb[s + 1]; px[d + 2] = f.rgb[s + 2]; px[d + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  preview.framesDrawn += 1;
  preview.lastFrame = f.index;
  preview.lastGeneration = f.generation;
  $("frame").textContent = f.index;
}
setInterval(draw, 1000 / 60);

function cell(row, text, cls) {
  const td = row.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function bar(busy, blocked) {
  const div = document.createElement("div");
  div.className = "bar";
  const b = document.createElement("span");
  b.className = "busy"; b.style.width = busy + "%";
  const o = document.createElement("span");
  o.className = "blocked"; o.style.left = busy + "%"; o.style.width = Math.min(blocked, 100 - busy) + "%";
  div.append(b, o);
  return div;
}

function fill(id, rows, render) {
  const body = $(id).tBodies[0];
  body.replaceChildren();
  for (const r of rows) render(body.insertRow(), r);
}

function onStatus(s) {
  preview.status = s;
  $("graph").textContent = s.graph;
  $("fps").textContent = s.fps.toFixed(1);
  $("block").textContent = s.lastBlock >= 0 ? s.lastBlock : "–";
  $("blockms").textContent = s.blockMs == null ? "–" : s.blockMs.toFixed(0);
  $("latency").textContent = s.promptLatencyMs == null ? "–" : (s.promptLatencyMs / 1000).toFixed(2) + " s";
  $("viewers").textContent = s.viewers;
  setState(s.state === "running" ? `running ${s.seconds.toFixed(0)} s` : `run ${s.state}`, s.state === "running" ? "" : "ended");
  $("prompt").disabled = $("switch").disabled = !s.acceptsPrompts || s.state !== "running";
  fill("prompts", s.prompts.slice().reverse(), (row, p) => {
    cell(row, p.generation); cell(row, p.text); cell(row, p.mode);
    cell(row, p.block ?? "…"); cell(row, p.frame ?? "…");
    cell(row, p.latencyMs == null ? "" : (p.latencyMs / 1000).toFixed(2) + " s");
  });
  fill("nodes", s.nodes, (row, n) => {
    cell(row, n.id); cell(row, n.busy.toFixed(0) + "%");
    row.insertCell().append(bar(n.busy, n.blocked));
    cell(row, n.blocked.toFixed(0) + "%"); cell(row, n.items);
  });
  fill("edges", s.edges, (row, e) => { cell(row, e.name); cell(row, `${e.depth} / ${e.capacity}`); });
}

function setState(text, cls) {
  const el = $("state");
  el.textContent = text;
  el.className = "state " + (cls || "");
}

function say(text, isError) {
  const el = $("message");
  el.textContent = text;
  el.className = isError ? "error" : "";
}

let socket = null;
let ended = false;

function connect() {
  socket = new WebSocket(`ws://${location.host}/ws`);
  socket.binaryType = "arraybuffer";
  socket.onopen = () => setState("connected");
  socket.onmessage = (event) => {
    if (typeof event.data !== "string") return onFrames(event.data);
    const m = JSON.parse(event.data);
    preview.messages.push(m);
    if (m.type === "status") {
      onStatus(m);
      if (m.state !== "running") ended = true;
    } else if (m.type === "ack") {
      say(`switching to “${m.text}” at the next block`, false);
    } else if (m.type === "error") {
      say(m.message, true);
    }
  };
  socket.onclose = () => {
    if (ended) return;
    setState("disconnected; retrying", "lost");
    setTimeout(connect, 2000);
  };
}

$("prompt-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("prompt").value.trim();
  if (!text || !socket || socket.readyState !== WebSocket.OPEN) return;
  socket.send(JSON.stringify({ type: "prompt", text }));
  $("prompt").value = "";
});

connect();
