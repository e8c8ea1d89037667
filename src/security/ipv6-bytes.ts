/** The 16 bytes of a canonical IPv6 address (hex groups, at most one `::`, no dotted quad). */
export function ipv6Bytes(canonical: string): Uint8Array {
  const [head = '', tail] = canonical.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 255;
  });
  return bytes;
}

/** The IPv4 address held in the 4 bytes from bit `offset` (a multiple of 8). */
export function ipv4At(bytes: Uint8Array, offset: number): string {
  return Array.from(bytes.subarray(offset / 8, offset / 8 + 4)).join('.');
}
