import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport, Transporter } from 'nodemailer';
import { MessageMetadata } from '@dockyard/contracts';
import { Logger, correlated } from '@dockyard/runtime';

/**
 * Sends the e-mail confirmation link. With SMTP_URL set, through that server; without it, each
 * message is written as an .eml file under `<data>/mail/` (nodemailer's stream transport builds the
 * same MIME message) and its link is logged, so a newcomer can activate accounts offline.
 */
export class ConfirmationMailer {
  private readonly transport: Transporter;

  constructor(
    private readonly options: { smtpUrl?: string; from: string; mailDir: string; logger: Logger },
  ) {
    this.transport = options.smtpUrl
      ? createTransport(options.smtpUrl)
      : createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  /** `metadata`: the registration's, whose correlation id the lines logged here carry. */
  async sendConfirmation(username: string, email: string, link: string, metadata: Pick<MessageMetadata, 'correlationId'>): Promise<void> {
    const logger = correlated(this.options.logger, metadata);
    const info = await this.transport.sendMail({
      from: this.options.from,
      to: email,
      subject: 'Confirm your Dockyard account',
      text: `Hello ${username},\n\nfollow this link to activate your account:\n\n${link}\n`,
    });
    if (this.options.smtpUrl) {
      logger.info({ username }, 'confirmation mail sent');
      return;
    }
    await mkdir(this.options.mailDir, { recursive: true });
    const file = join(this.options.mailDir, `${Date.now()}-${username}.eml`);
    await writeFile(file, (info as { message: Buffer }).message);
    logger.info({ username, file, link }, 'confirmation mail written');
  }
}
