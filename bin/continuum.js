#!/usr/bin/env node
// The `continuum` command. Sources are TypeScript run through tsx, so `npx continuum` works
// straight after `npm install` with no build step.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
