/** The status page's only style sheet, inlined (the page must work on an air-gapped host). */
export const STATUS_PAGE_CSS = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.4}
body{margin:0;background:#f4f5f7;color:#1d1f23}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{margin:0;font-size:1.5rem;word-break:break-all}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.host{background:#fff;border-radius:.5rem;padding:1rem;border-left:.5rem solid #888}
.hoststatus{margin:.5rem 0;font-size:1.3rem}
.msg{overflow-wrap:anywhere;white-space:pre-wrap}
ul{list-style:none;margin:0;padding:0}
.check{background:#fff;border-radius:.5rem;padding:.75rem 1rem;margin:.5rem 0;border-left:.5rem solid #888}
.head{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.id{overflow-wrap:anywhere}
.meta,footer,time{color:#555;font-size:.9rem}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:1rem;font-weight:600;font-size:.9rem;color:#fff;
white-space:nowrap}
.badge.s-OK{background:#1e7b34}.badge.s-Unknown{background:#5a5f69}
.badge.s-Warning{background:#a85d00}.badge.s-Critical{background:#b3141d}
.check.s-OK,.host.s-OK{border-left-color:#1e7b34}.check.s-Unknown,.host.s-Unknown{border-left-color:#5a5f69}
.check.s-Warning,.host.s-Warning{border-left-color:#a85d00}.check.s-Critical,.host.s-Critical{border-left-color:#b3141d}
.flap{background:#ffe9a8;color:#5b4500;border-radius:1rem;padding:.1rem .5rem;font-size:.85rem}
.recent li{background:#fff;border-radius:.5rem;padding:.5rem .75rem;margin:.35rem 0;display:flex;flex-wrap:wrap;
gap:.4rem;align-items:center}
.who{font-weight:600;overflow-wrap:anywhere}
footer{margin:2rem 0 1rem}
a{color:#0b57d0}
`;
