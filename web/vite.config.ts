// Builds the dashboard into web/dist, which `continuum serve` and `continuum demo` serve at `/`.
// `npx vite web` runs a dev server that forwards API calls to a Continuum server on :8080.
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const api = 'http://127.0.0.1:8080'
const apiPrefixes = [
  '/auth',
  '/.well-known',
  '/catalog',
  '/landscape',
  '/data',
  '/transfers',
  '/workflows',
  '/usage',
  '/policies',
  '/healthz',
]

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 700,
    reportCompressedSize: false,
  },
  server: { proxy: Object.fromEntries(apiPrefixes.map((p) => [p, api])) },
})
