/**
 * A fixed-capacity byte ring: keeps the newest `capacity` bytes of a terminal's
 * output so that a reload or a second tab can be replayed what was on screen.
 */
export function createRingBuffer(capacity: number) {
  const data = Buffer.alloc(capacity);
  let start = 0;
  let length = 0;
  return {
    write(chunk: Buffer): void {
      if (chunk.length >= capacity) {
        chunk.copy(data, 0, chunk.length - capacity);
        start = 0;
        length = capacity;
        return;
      }
      const end = (start + length) % capacity;
      const first = Math.min(chunk.length, capacity - end);
      chunk.copy(data, end, 0, first);
      if (first < chunk.length) chunk.copy(data, 0, first);
      length += chunk.length;
      if (length > capacity) {
        start = (start + (length - capacity)) % capacity;
        length = capacity;
      }
    },
    contents(): Buffer {
      if (start + length <= capacity) return Buffer.from(data.subarray(start, start + length));
      return Buffer.concat([data.subarray(start), data.subarray(0, (start + length) % capacity)]);
    },
    get length(): number {
      return length;
    },
  };
}

export type RingBuffer = ReturnType<typeof createRingBuffer>;
