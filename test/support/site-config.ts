/**
 * The site configuration tests run under, set on import: storage in temporary folders and
 * services on loopback ports (the URL policy itself is tested in data-endpoint-urls.test.ts).
 */
import os from 'node:os'
import { configureEndpointUrls } from '../../src/data/index.js'

configureEndpointUrls({ storageRoots: [os.tmpdir()], networks: ['loopback'] })
