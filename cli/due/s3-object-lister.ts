import type { ListedObject } from "./hive-files-version.js";

/** Lists the objects under a prefix (every page); tests pass a recording fake. */
export interface ObjectLister {
  list(bucket: string, prefix: string): AsyncIterable<ListedObject>;
}

/** The one call of an S3 client the lister makes (ListObjectsV2), so a test can answer it. */
export interface ListObjectsClient {
  send(command: import("@aws-sdk/client-s3").ListObjectsV2Command): Promise<{
    Contents?: { Key?: string; Size?: number; LastModified?: Date; ETag?: string }[];
    IsTruncated?: boolean;
    NextContinuationToken?: string;
  }>;
}

/** ListObjectsV2, page by page (1,000 keys a request), following the continuation token. */
export function s3ObjectLister(client: () => Promise<ListObjectsClient>): ObjectLister {
  return {
    async *list(bucket, prefix) {
      const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
      const s3 = await client();
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) {
          if (o.Key === undefined) continue;
          yield {
            key: o.Key,
            size: o.Size ?? 0,
            lastModified: o.LastModified ?? new Date(0),
            ...(o.ETag !== undefined ? { etag: o.ETag } : {}),
          };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
  };
}

/**
 * The S3 client of the connection settings (`FLOE_S3_*`, ingest/connection-settings.ts: the sink's own),
 * made on first use and kept: a build that reads no Hive table loads no AWS SDK.
 */
export function envS3Client(
  env: Readonly<Record<string, string | undefined>>,
): () => Promise<ListObjectsClient> {
  let client: Promise<ListObjectsClient> | undefined;
  return () => {
    client ??= import("../../ingest/endpoints.js").then(({ endpointsFromEnv, s3Client }) =>
      s3Client(endpointsFromEnv(env)),
    );
    return client;
  };
}
