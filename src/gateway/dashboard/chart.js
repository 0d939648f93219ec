// Throughput chart: completed and failed attempts per second over the last 60 s, drawn on a
// canvas from the live event stream.

const SECONDS = 60;

export class ThroughputChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.buckets = new Map(); // second -> { completed, failed }
    setInterval(() => this.draw(), 1000);
  }

  /** Counts one event of `type` (`completed` or `failed`) at `at` (epoch ms). */
  add(type, at = Date.now()) {
    const second = Math.floor(at / 1000);
    const bucket = this.buckets.get(second) ?? { completed: 0, failed: 0 };
    bucket[type]++;
    this.buckets.set(second, bucket);
  }

  draw() {
    const now = Math.floor(Date.now() / 1000);
    for (const s of this.buckets.keys()) if (s <= now - SECONDS) this.buckets.delete(s);
    const ctx = this.canvas.getContext("2d");
    const { width, height } = this.canvas;
    ctx.clearRect(0, 0, width, height);
    const series = Array.from(
      { length: SECONDS },
      (_, i) => this.buckets.get(now - SECONDS + 1 + i),
    );
    const max = Math.max(1, ...series.map((b) => (b?.completed ?? 0) + (b?.failed ?? 0)));
    const w = width / SECONDS;
    series.forEach((b, i) => {
      const ok = ((b?.completed ?? 0) / max) * (height - 14);
      const bad = ((b?.failed ?? 0) / max) * (height - 14);
      ctx.fillStyle = "#1a7f37";
      ctx.fillRect(i * w, height - ok, w - 1, ok);
      ctx.fillStyle = "#c62828";
      ctx.fillRect(i * w, height - ok - bad, w - 1, bad);
    });
    ctx.fillStyle = "#556";
    ctx.font = "11px system-ui";
    ctx.fillText(`max ${max}/s`, 4, 11);
  }
}
