/** Awaits `work`, sending a heartbeat every 3 s meanwhile (kafkajs heartbeats only between batches). */
export async function awaitWithHeartbeats(
  work: Promise<unknown>,
  heartbeat: () => Promise<void>,
): Promise<void> {
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(resolve, 3_000, false);
      }),
    ]);
    clearTimeout(timer);
    if (finished) return;
    await heartbeat();
  }
}
