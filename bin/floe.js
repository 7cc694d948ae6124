#!/usr/bin/env node
// The `floe` executable: runs the bundled CLI (built into dist/bundle by `npm install`; see scripts/bundle-cli.mjs).
import { main } from "../dist/bundle/floe.js";

process.exitCode = await main(process.argv);
