// SNS signature verification with a self-made certificate: versions 1 and 2, tampering, certificate hosts, fetch failures, cache.
import { HttpError } from '../../lambdas/handlers/http';
import { SnsCertificates, parseSnsMessage, snsUrl, stringToSign, verifySnsSignature } from '../../lambdas/integrations/sns-signature';
import { fixture, makeSnsSigner } from '../support/sns';

const signer = makeSnsSigner();
const CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem';

/** A fetchText that serves the test certificate and counts its calls. */
const certificateServer = () => jest.fn(async (url: string) => (url === CERT_URL ? signer.certificatePem : Promise.reject(new Error(`404 ${url}`))));

/** The HttpError a verification throws (status and code), or 'verified'. */
async function outcome(message: Record<string, unknown>, certificates: SnsCertificates) {
  try {
    await verifySnsSignature(parseSnsMessage(message), certificates);
    return 'verified';
  } catch (error) {
    if (error instanceof HttpError) return `${error.status} ${error.code}`;
    throw error;
  }
}

describe('the string SNS signs', () => {
  it('is "Name\\nValue\\n" for each field in AWS order; Subject only when present', () => {
    const message = parseSnsMessage(signer.sign({ ...fixture('notification-alarm'), Message: 'm', Subject: undefined }));
    expect(stringToSign(message)).toBe(
      `Message\nm\nMessageId\n${message.MessageId}\nTimestamp\n${message.Timestamp}\nTopicArn\n${message.TopicArn}\nType\nNotification\n`,
    );
    expect(stringToSign({ ...message, Subject: 'S' })).toContain(`MessageId\n${message.MessageId}\nSubject\nS\nTimestamp\n`);
  });

  it("covers a confirmation's SubscribeURL and Token", () => {
    const message = parseSnsMessage(signer.sign(fixture('subscription-confirmation')));
    expect(stringToSign(message)).toMatch(
      /^Message\n[\s\S]*\nMessageId\n.*\nSubscribeURL\n.*\nTimestamp\n.*\nToken\n.*\nTopicArn\n.*\nType\nSubscriptionConfirmation\n$/,
    );
  });
});

describe('verifying a message', () => {
  it.each(['1', '2'] as const)('passes a message signed with SignatureVersion %s', async (version) => {
    const certificates = new SnsCertificates(certificateServer());
    expect(await outcome(signer.sign(fixture('notification-alarm'), { version }), certificates)).toBe('verified');
    expect(await outcome(signer.sign(fixture('subscription-confirmation'), { version }), certificates)).toBe('verified');
  });

  it('refuses a tampered Message, Subject or version with 403 INVALID_SIGNATURE', async () => {
    const certificates = new SnsCertificates(certificateServer());
    const signed = signer.sign(fixture('notification-alarm'));
    const tampered = { ...signed, Message: String(signed.Message).replace('"ALARM"', '"OK"') };
    expect(await outcome(tampered, certificates)).toBe('403 INVALID_SIGNATURE');
    expect(await outcome({ ...signed, Subject: 'OK: all is well' }, certificates)).toBe('403 INVALID_SIGNATURE');
    // Signed with SHA1, announced as SHA256.
    expect(await outcome({ ...signed, SignatureVersion: '2' }, certificates)).toBe('403 INVALID_SIGNATURE');
    expect(await outcome({ ...signed, Signature: 'bm90IGEgc2lnbmF0dXJl' }, certificates)).toBe('403 INVALID_SIGNATURE');
  });

  it.each([
    'https://evil.example/cert.pem',
    'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem',
    'https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-x.pem',
    'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-x.pem',
    'https://user@sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem',
    'https://evil.example\\@sns.us-east-1.amazonaws.com/x.pem',
    'https://sns.amazonaws.com/SimpleNotificationService-x.pem',
    'https://sqs.us-east-1.amazonaws.com/SimpleNotificationService-x.pem',
    'https://sns.us-east-1.amazonaws.com/not-a-certificate',
    'not a url',
  ])('refuses the certificate URL %s with 403 and fetches nothing', async (certUrl) => {
    const fetchText = certificateServer();
    const res = await outcome(signer.sign(fixture('notification-alarm'), { certUrl }), new SnsCertificates(fetchText));
    expect(res).toBe('403 INVALID_SIGNING_CERTIFICATE');
    expect(fetchText).not.toHaveBeenCalled();
  });

  it('answers 503 when the certificate cannot be fetched, and fetches again on the next delivery', async () => {
    const fetchText = jest.fn().mockRejectedValueOnce(new Error('timeout')).mockResolvedValue(signer.certificatePem);
    const certificates = new SnsCertificates(fetchText);
    const message = signer.sign(fixture('notification-alarm'));
    expect(await outcome(message, certificates)).toBe('503 SIGNING_CERTIFICATE_UNAVAILABLE');
    expect(await outcome(message, certificates)).toBe('verified');
    expect(fetchText).toHaveBeenCalledTimes(2);
  });

  it('answers 503 for a certificate URL whose answer is not a certificate', async () => {
    const certificates = new SnsCertificates(jest.fn().mockResolvedValue('<html>Not Found</html>'));
    expect(await outcome(signer.sign(fixture('notification-alarm')), certificates)).toBe('503 SIGNING_CERTIFICATE_UNAVAILABLE');
  });

  it('fetches a certificate once for many messages, and the cache stays bounded', async () => {
    const fetchText = jest.fn(async () => signer.certificatePem);
    const certificates = new SnsCertificates(fetchText, 2);
    const urlNumber = (n: number) => CERT_URL.replace('.pem', `-${n}.pem`);
    expect(await outcome(signer.sign(fixture('notification-alarm')), certificates)).toBe('verified');
    expect(await outcome(signer.sign(fixture('notification-ok')), certificates)).toBe('verified');
    expect(fetchText).toHaveBeenCalledTimes(1);
    for (const n of [1, 2]) await outcome(signer.sign(fixture('notification-ok'), { certUrl: urlNumber(n) }), certificates);
    expect(fetchText).toHaveBeenCalledTimes(3);
    // CERT_URL was the oldest of three in a cache of two: it was dropped, and is fetched again.
    await outcome(signer.sign(fixture('notification-ok')), certificates);
    expect(fetchText).toHaveBeenCalledTimes(4);
  });
});

describe("SNS's hosts", () => {
  it.each([
    'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t',
    'https://sns.ap-southeast-2.amazonaws.com/x.pem',
    'https://sns.us-gov-west-1.amazonaws.com/x.pem',
    'https://sns.cn-north-1.amazonaws.com.cn/x.pem',
  ])('accepts %s', (url) => expect(snsUrl(url)?.href).toBe(url));

  it.each(['https://sns.cn-north-1.amazonaws.com/x.pem', 'https://sns.us-east-1.amazonaws.com.cn/x.pem', 'ftp://sns.us-east-1.amazonaws.com/x.pem'])(
    'refuses %s',
    (url) => expect(snsUrl(url)).toBeUndefined(),
  );
});

describe("an SNS message's schema", () => {
  const errorsOf = (body: unknown) => {
    try {
      parseSnsMessage(body);
      return [];
    } catch (error) {
      return (error as HttpError).errors?.map((e) => e.path);
    }
  };

  it("names SNS's fields", () => {
    const message = signer.sign(fixture('notification-alarm'));
    expect(errorsOf({ ...message, Type: 'Other' })).toEqual(['Type']);
    expect(errorsOf({ ...message, SignatureVersion: '3' })).toEqual(['SignatureVersion']);
    expect(errorsOf({ ...message, SigningCertURL: undefined, Signature: undefined })).toEqual(['Signature', 'SigningCertURL']);
    expect(errorsOf({ ...signer.sign(fixture('subscription-confirmation')), Token: undefined })).toEqual(['Token']);
    expect(errorsOf('text')).toEqual(['(body)']);
  });
});
