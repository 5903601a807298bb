/**
 * The pseudo-queue a client consumes from for direct reply-to: replies go straight to the
 * requesting channel, with no reply queue declared.
 */
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';
