// Amazon SNS HTTP(S) deliveries: the message's schema, the string AWS signs, where certificates may come from, and the check.
import { X509Certificate, verify } from 'node:crypto';
import * as z from 'zod';
import { fieldErrors } from '../domain/validation';
import { HttpError } from '../handlers/http';

export const SNS_MESSAGE_TYPES = ['SubscriptionConfirmation', 'Notification', 'UnsubscribeConfirmation'] as const;
export const SIGNATURE_VERSIONS = ['1', '2'] as const;

const text = z.string().min(1, 'must not be empty');
/** SNS leaves Subject out or sends null when the publisher gave none; both mean "absent" in the signed string. */
const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);

export const snsMessageSchema = z
  .object({
    Type: z.enum(SNS_MESSAGE_TYPES, { error: `must be one of ${SNS_MESSAGE_TYPES.join(', ')}` }),
    MessageId: text,
    TopicArn: text,
    Message: z.string(),
    Timestamp: text,
    SignatureVersion: z.enum(SIGNATURE_VERSIONS, { error: `must be one of ${SIGNATURE_VERSIONS.join(', ')}` }),
    Signature: text,
    SigningCertURL: text,
    Subject: optionalText,
    SubscribeURL: optionalText,
    Token: optionalText,
  })
  .superRefine((message, ctx) => {
    if (message.Type === 'Notification') return;
    // Confirmations sign these two as well: without them there is nothing to verify (or to confirm).
    for (const field of ['SubscribeURL', 'Token'] as const) {
      if (!message[field]) ctx.addIssue({ code: 'custom', path: [field], message: `is required for a ${message.Type}` });
    }
  });

export type SnsMessage = z.output<typeof snsMessageSchema>;

/** An SNS delivery's body as a typed message, or 400 naming SNS's fields. */
export function parseSnsMessage(body: unknown): SnsMessage {
  const parsed = snsMessageSchema.safeParse(body, { reportInput: true });
  if (parsed.success) return parsed.data;
  const errors = fieldErrors(parsed.error);
  throw new HttpError(400, 'VALIDATION_FAILED', `Invalid SNS message: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

/** The fields AWS signs, in AWS's order for each message type (SNS developer guide, "Verifying message signatures"). */
const SIGNED_FIELDS = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
} as const;

/** "Name\nValue\n" for each signed field present, in order: the bytes the signature covers. */
export function stringToSign(message: SnsMessage): string {
  return SIGNED_FIELDS[message.Type]
    .filter((name) => message[name] !== undefined)
    .map((name) => `${name}\n${message[name]}\n`)
    .join('');
}

// A region's code: us-east-1, ap-southeast-2, us-gov-west-1, cn-north-1 ... China's regions live under amazonaws.com.cn.
const SNS_HOST = /^sns\.(?:(?!cn-)[a-z]{2}(?:-[a-z]+)+-\d{1,2}\.amazonaws\.com|cn(?:-[a-z]+)+-\d{1,2}\.amazonaws\.com\.cn)$/;

/**
 * The URL as it will be fetched when it is on SNS's own host (https, sns.<region>.amazonaws.com, no port, no user),
 * else undefined. The normalised href is what gets fetched, so the host checked is the host reached.
 */
export function snsUrl(value: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const plain = url.protocol === 'https:' && url.port === '' && url.username === '' && url.password === '';
  return plain && SNS_HOST.test(url.hostname) ? url : undefined;
}

/** Signing certificates by URL, fetched once each: SNS signs with few, and a fetch per message would be slow and costly. */
export class SnsCertificates {
  private readonly cache = new Map<string, Promise<X509Certificate>>();

  constructor(
    private readonly fetchText: (url: string) => Promise<string>,
    private readonly capacity = 20,
  ) {}

  /** The certificate at `url` (already checked to be SNS's); a fetch that fails is not remembered, so a retry fetches again. */
  get(url: URL): Promise<X509Certificate> {
    const cached = this.cache.get(url.href);
    if (cached) return cached;
    const loading = this.fetchText(url.href).then((pem) => new X509Certificate(pem));
    loading.catch(() => this.cache.get(url.href) === loading && this.cache.delete(url.href));
    this.cache.set(url.href, loading);
    // Bounded: the oldest entry goes (a Map keeps insertion order).
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return loading;
  }
}

const HASH_OF = { '1': 'sha1', '2': 'sha256' } as const;

/**
 * Verifies an SNS message's signature, or throws: 403 for a certificate URL off SNS's host (nothing fetched) or a
 * signature that does not match, 503 when the certificate cannot be had now (SNS retries the delivery).
 */
export async function verifySnsSignature(message: SnsMessage, certificates: SnsCertificates): Promise<void> {
  const certUrl = snsUrl(message.SigningCertURL);
  if (!certUrl || !certUrl.pathname.endsWith('.pem')) {
    const errors = [{ path: 'SigningCertURL', message: 'must be a .pem on https://sns.<region>.amazonaws.com/' }];
    throw new HttpError(403, 'INVALID_SIGNING_CERTIFICATE', 'The signing certificate is not on Amazon SNS', errors);
  }
  let certificate: X509Certificate;
  try {
    certificate = await certificates.get(certUrl);
  } catch {
    const unavailable = new HttpError(503, 'SIGNING_CERTIFICATE_UNAVAILABLE', 'The signing certificate could not be fetched; retry later');
    unavailable.headers = { 'retry-after': '5' };
    throw unavailable;
  }
  const signature = Buffer.from(message.Signature, 'base64');
  let valid = false;
  try {
    valid = verify(HASH_OF[message.SignatureVersion], Buffer.from(stringToSign(message), 'utf8'), certificate.publicKey, signature);
  } catch {
    // A key that is not RSA, or a signature of the wrong length: not a signature by SNS either way.
  }
  if (!valid) throw new HttpError(403, 'INVALID_SIGNATURE', 'The SNS message signature does not verify');
}
