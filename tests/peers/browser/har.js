"use strict";
// Builds an HTTP Archive (HAR 1.2) of one page from DevTools protocol Network
// events, the way Chrome's DevTools save one ("Save all as HAR with content"):
// each request an entry with its post data and response body (base64 with
// `encoding: "base64"` when DevTools gives bytes), each WebSocket an entry with
// `_resourceType: "websocket"` and `_webSocketMessages` ({type: send|receive,
// time: seconds since the epoch, opcode, data}; binary data base64, as DevTools
// gives it). Used by drive.js when a command asks for a HAR.

class HarRecorder {
  constructor(cdp) {
    this.cdp = cdp;
    this.entries = new Map(); // requestId -> entry state
    this.order = [];
    this.pending = [];
    this.changed = () => {};
    const on = (name, fn) => cdp.on(`Network.${name}`, (e) => {
      fn(e);
      this.changed();
    });
    on("requestWillBeSent", (e) => {
      if (this.entries.has(e.requestId)) return; // a redirect: keep the first
      const entry = { kind: "http", wall: e.wallTime, ts: e.timestamp, request: e.request, type: e.type, done: false };
      this.entries.set(e.requestId, entry);
      this.order.push(e.requestId);
      if (e.request.hasPostData && e.request.postData === undefined) {
        this.pending.push(
          cdp
            .send("Network.getRequestPostData", { requestId: e.requestId })
            .then((r) => (entry.request.postData = r.postData), () => {}),
        );
      }
    });
    on("responseReceived", (e) => {
      const entry = this.entries.get(e.requestId);
      if (entry) entry.response = e.response;
    });
    on("loadingFinished", (e) => {
      const entry = this.entries.get(e.requestId);
      if (!entry) return;
      entry.end = e.timestamp;
      this.pending.push(
        cdp
          .send("Network.getResponseBody", { requestId: e.requestId })
          .then((r) => (entry.body = r), () => {})
          .finally(() => {
            entry.done = true;
            this.changed();
          }),
      );
    });
    on("loadingFailed", (e) => {
      const entry = this.entries.get(e.requestId);
      if (!entry) return;
      entry.end = e.timestamp;
      entry.failed = e.errorText;
      entry.done = true;
    });
    on("webSocketCreated", (e) => {
      this.entries.set(e.requestId, { kind: "ws", url: e.url, messages: [], done: false });
      this.order.push(e.requestId);
    });
    on("webSocketWillSendHandshakeRequest", (e) => {
      const entry = this.entries.get(e.requestId);
      if (!entry) return;
      entry.wall = e.wallTime;
      entry.ts = e.timestamp;
      entry.requestHeaders = e.request.headers;
    });
    on("webSocketHandshakeResponseReceived", (e) => {
      const entry = this.entries.get(e.requestId);
      if (entry) entry.response = e.response;
    });
    const frame = (type) => (e) => {
      const entry = this.entries.get(e.requestId);
      if (!entry || entry.ts === undefined) return;
      const time = entry.wall + (e.timestamp - entry.ts);
      entry.messages.push({ type, time, opcode: e.response.opcode, data: e.response.payloadData });
    };
    on("webSocketFrameSent", frame("send"));
    on("webSocketFrameReceived", frame("receive"));
    on("webSocketClosed", (e) => {
      const entry = this.entries.get(e.requestId);
      if (!entry) return;
      entry.end = e.timestamp;
      entry.done = true;
    });
  }

  async start() {
    await this.cdp.send("Network.enable", { maxPostDataSize: 65536 });
  }

  /// Resolves once every request has its answer and every WebSocket is closed, or after `ms`.
  async settle(ms) {
    const complete = () => [...this.entries.values()].every((e) => e.done);
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      const check = () => {
        if (complete()) {
          clearTimeout(timer);
          resolve();
        }
      };
      this.changed = check;
      check();
    });
    await Promise.all(this.pending);
  }

  build(version) {
    const pairs = (headers) => Object.entries(headers || {}).map(([name, value]) => ({ name, value: String(value) }));
    const iso = (seconds) => new Date(seconds * 1000).toISOString();
    const entries = [];
    for (const id of this.order) {
      const e = this.entries.get(id);
      if (e.wall === undefined) continue;
      const millis = e.end !== undefined ? (e.end - e.ts) * 1000 : -1;
      if (e.kind === "ws") {
        entries.push({
          _resourceType: "websocket",
          startedDateTime: iso(e.wall),
          time: millis,
          request: {
            method: "GET",
            url: e.url,
            httpVersion: "HTTP/1.1",
            headers: pairs(e.requestHeaders),
            queryString: [],
            cookies: [],
            headersSize: -1,
            bodySize: 0,
          },
          response: {
            status: e.response ? e.response.status : 0,
            statusText: e.response ? e.response.statusText : "",
            httpVersion: "HTTP/1.1",
            headers: pairs(e.response && e.response.headers),
            cookies: [],
            content: { size: 0, mimeType: "x-unknown" },
            redirectURL: "",
            headersSize: -1,
            bodySize: 0,
          },
          cache: {},
          timings: { send: 0, wait: Math.max(millis, 0), receive: 0 },
          _webSocketMessages: e.messages,
        });
        continue;
      }
      const r = e.response;
      const content = { size: -1, mimeType: (r && r.mimeType) || "x-unknown" };
      if (e.body) {
        content.text = e.body.body;
        content.size = e.body.base64Encoded ? Buffer.from(e.body.body, "base64").length : Buffer.byteLength(e.body.body);
        if (e.body.base64Encoded) content.encoding = "base64";
      }
      const request = {
        method: e.request.method,
        url: e.request.url,
        httpVersion: (r && r.protocol) || "HTTP/1.1",
        headers: pairs(e.request.headers),
        queryString: [],
        cookies: [],
        headersSize: -1,
        bodySize: e.request.postData ? Buffer.byteLength(e.request.postData) : 0,
      };
      if (e.request.postData !== undefined) {
        const type = Object.entries(e.request.headers || {}).find(([n]) => n.toLowerCase() === "content-type");
        request.postData = { mimeType: type ? type[1] : "", text: e.request.postData };
      }
      entries.push({
        _resourceType: (e.type || "other").toLowerCase(),
        startedDateTime: iso(e.wall),
        time: millis,
        request,
        response: {
          status: r ? r.status : 0,
          statusText: r ? r.statusText : "",
          httpVersion: (r && r.protocol) || "HTTP/1.1",
          headers: pairs(r && r.headers),
          cookies: [],
          content,
          redirectURL: "",
          headersSize: -1,
          bodySize: -1,
          _error: e.failed || null,
        },
        cache: {},
        timings: { send: 0, wait: Math.max(millis, 0), receive: 0 },
      });
    }
    return {
      log: {
        version: "1.2",
        creator: { name: "sio-test-har (DevTools protocol)", version: "1" },
        browser: { name: "Chromium", version },
        pages: [],
        entries,
      },
    };
  }
}

module.exports = { HarRecorder };
