import { PutObjectCommand, type S3Client, S3ServiceException } from "@aws-sdk/client-s3";

/**
 * Writes a raw Parquet object only if its key is free (`If-None-Match: *`): the one conditional put behind
 * the raw layer's exactly-once keys, used by the sink and by raw compaction. Resolves true when written,
 * false when the key already held an object (S3 answered 412: a replay or another writer got there first).
 */
export async function putParquetIfAbsent(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Uint8Array,
  metadata: Readonly<Record<string, string>>,
): Promise<boolean> {
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        IfNoneMatch: "*",
        ContentType: "application/vnd.apache.parquet",
        Metadata: { ...metadata },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) return false;
    throw error;
  }
}
