import {
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import type { MarkerStore } from "./column-markers.js";

/** The column markers on S3: listed with ListObjectsV2, written with `If-None-Match: *`. */
export function s3MarkerStore(s3: S3Client, bucket: string): MarkerStore {
  return {
    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async putIfAbsent(key) {
      try {
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: new Uint8Array(0), IfNoneMatch: "*" }),
        );
      } catch (error) {
        if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) return;
        throw error;
      }
    },
  };
}
