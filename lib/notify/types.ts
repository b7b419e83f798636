/** The notification port: SNS on AWS, <LAKE_DIR>/notifications.jsonl (plus a log line) on the local lake. */
export interface Notice {
  /** Machine-readable kind, e.g. UPLOAD_QUARANTINED, ETL_SUCCEEDED, ETL_FAILED. */
  kind: string;
  subject: string;
  detail: Record<string, unknown>;
}

export interface Notifier {
  publish(notice: Notice): Promise<void>;
}
