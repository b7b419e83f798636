/** The notification port: SNS on AWS, <LAKE_DIR>/notifications.jsonl (plus a log line) on the local lake. */
export interface Notice {
  /** Machine-readable kind, e.g. UPLOAD_QUARANTINED, ETL_SUCCEEDED, ETL_FAILED. */
  kind: string;
  subject: string;
  detail: Record<string, unknown>;
}

export interface Notifier {
  /**
   * Publishes a notice. `message`: the text to send as it is, where the publisher made it (a state machine's
   * sns:publish task: Step Functions sends its Message serialized, without publishedAt and never cut); by default
   * the notice as noticeMessage (./message.ts) writes it.
   */
  publish(notice: Notice, message?: string): Promise<void>;
}
