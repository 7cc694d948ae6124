import type { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { type ListObjectsClient, s3ObjectLister } from "./s3-object-lister.js";

describe("s3ObjectLister", () => {
  it("follows the continuation token through every page", async () => {
    const requests: { Bucket?: string; Prefix?: string; ContinuationToken?: string }[] = [];
    const pages = [
      {
        Contents: [{ Key: "p/a", Size: 1, LastModified: new Date(1), ETag: '"a"' }],
        IsTruncated: true,
        NextContinuationToken: "t1",
      },
      {
        Contents: [{ Key: "p/b", Size: 2, LastModified: new Date(2) }, { Size: 3 }],
        IsTruncated: true,
        NextContinuationToken: "t2",
      },
      { Contents: [], IsTruncated: false },
    ];
    const client: ListObjectsClient = {
      send: async (command: ListObjectsV2Command) => {
        requests.push(command.input);
        return pages[requests.length - 1] ?? {};
      },
    };
    const listed = [];
    for await (const o of s3ObjectLister(async () => client).list("bucket", "p/")) listed.push(o);
    expect(listed).toEqual([
      { key: "p/a", size: 1, lastModified: new Date(1), etag: '"a"' },
      { key: "p/b", size: 2, lastModified: new Date(2) },
    ]);
    expect(requests).toEqual([
      { Bucket: "bucket", Prefix: "p/", ContinuationToken: undefined },
      { Bucket: "bucket", Prefix: "p/", ContinuationToken: "t1" },
      { Bucket: "bucket", Prefix: "p/", ContinuationToken: "t2" },
    ]);
  });
});
