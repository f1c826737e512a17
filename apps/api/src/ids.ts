import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Short ids that sort by creation time (48-bit ms timestamp, then 40 random bits), in Crockford-style
 * base32: `run_01jf3k9v2m8q4t7x`. Safe as BullMQ job ids (no ':'), URLs and file names.
 */
export function newId(kind: 'run' | 'swp'): string {
  let n = BigInt(Date.now());
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[Number(n % 32n)] + time;
    n /= 32n;
  }
  const random = [...randomBytes(8)].map((b) => ALPHABET[b % 32]).join('');
  return `${kind}_${time}${random}`;
}

export const ID_PATTERN = /^(run|swp)_[0-9a-z]{18}$/;
