import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseImageRef } from './oci-images.js'

describe('image references', () => {
  it('names an image in the store from Docker, OCI and bare references', () => {
    assert.deepEqual(parseImageRef('docker://alpine:3.19'), { name: 'alpine', tag: '3.19' })
    assert.deepEqual(parseImageRef('oci:lofar/linc:v4'), { name: 'lofar/linc', tag: 'v4' })
    assert.deepEqual(parseImageRef('busybox'), { name: 'busybox', tag: 'latest' })
    assert.deepEqual(parseImageRef('docker://docker.io/library/ubuntu:22.04'), {
      name: 'ubuntu',
      tag: '22.04',
    })
    assert.deepEqual(parseImageRef('localhost:5000/tools:1'), { name: 'tools', tag: '1' })
  })

  it('refuses what could leave the store or is not a reference', () => {
    for (const bad of [
      '../etc:1',
      'a/../../b',
      '/abs:1',
      'UPPER:1',
      'x:',
      'a\u0000b',
      'x@sha256:00',
      '',
    ]) {
      assert.throws(() => parseImageRef(bad), { code: 'IMAGE_UNAVAILABLE' }, bad)
    }
  })
})
