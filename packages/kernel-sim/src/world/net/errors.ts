/**
 * A frame, address or capture file the world cannot make sense of. Messages start with what was
 * being read ("parse ipv4: …", "pcap: …") and say what is wrong.
 */
export class NetFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetFormatError';
  }
}
