import { totpUri } from '../../auth/totp.js';

/** What the set-up page shows of a new secret: the QR code (an SVG data URL) and the secret in groups of four. */
export async function totpSetupView(secret: string, account: string): Promise<{ qr: string; secretGroups: string }> {
  // The QR library loads on the first set-up page, not at the start.
  const { default: QRCode } = await import('qrcode');
  const svg = await QRCode.toString(totpUri(secret, account), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return {
    qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    secretGroups: secret.replace(/(.{4})(?=.)/g, '$1 '),
  };
}

/** The recovery codes as the downloadable text file. */
export function recoveryCodesText(codes: string[], heading: string): string {
  return `${heading}\r\n\r\n${codes.join('\r\n')}\r\n`;
}
