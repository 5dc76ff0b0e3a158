/** `continuum login`, `continuum token`, `continuum whoami`, `continuum logout`: identity in the terminal. */
import { Command } from 'commander'
import { deviceLogin } from '../../client/index.js'
import { ContinuumError } from '../../platform/browser.js'
import { cliContext, withExamples } from '../context.js'
import { formatRecord, printResult } from '../output.js'
import { readToken, removeToken, saveToken, tokenFile } from '../token-store.js'

export function loginCommand(): Command {
  return withExamples(
    new Command('login')
      .description(
        'Log in with the device flow (RFC 8628) and keep the token under CONTINUUM_HOME (mode 0600)',
      )
      .option(
        '--issuer <url>',
        "OIDC issuer to log in with (default: the server's built-in issuer)",
      )
      .option('--client-id <id>', 'OAuth client id registered at the issuer', 'continuum-cli')
      .option('--scope <scopes>', 'scopes to request', 'openid wlcg.groups')
      .action(async (opts: { issuer?: string; clientId: string; scope: string }, cmd: Command) => {
        const { config, out } = cliContext(cmd)
        const issuer = opts.issuer ?? config.server
        const token = await deviceLogin({
          issuer,
          clientId: opts.clientId,
          scope: opts.scope,
          prompt: (a) =>
            out.error(
              `To log in, open\n  ${a.verification_uri_complete}\nor go to ${a.verification_uri} and enter the code ${a.user_code}\nWaiting for approval …`,
            ),
        })
        const expiresAt = token.expires_in
          ? new Date(Date.now() + token.expires_in * 1000).toISOString()
          : undefined
        saveToken(config.home, {
          server: config.server,
          issuer,
          accessToken: token.access_token,
          expiresAt,
        })
        printResult(
          out,
          {
            loggedIn: true,
            issuer,
            expiresAt: expiresAt ?? null,
            tokenFile: tokenFile(config.home),
          },
          (r) =>
            `logged in at ${r.issuer}; token kept in ${r.tokenFile} until ${r.expiresAt ?? 'it expires'}`,
        )
      }),
    'continuum login',
    'continuum login --issuer https://iam.example.org --client-id my-client',
  )
}

export function tokenCommand(): Command {
  return withExamples(
    new Command('token')
      .description(
        'Print the stored access token, for scripts (curl -H "Authorization: Bearer $(continuum token)")',
      )
      .action(async (_opts: unknown, cmd: Command) => {
        const { config, out } = cliContext(cmd)
        const stored = readToken(config.home)
        if (!stored) {
          throw new ContinuumError(
            'NOT_LOGGED_IN',
            'no valid token is stored; run `continuum login`',
            { tokenFile: tokenFile(config.home) },
          )
        }
        printResult(
          out,
          {
            accessToken: stored.accessToken,
            expiresAt: stored.expiresAt ?? null,
            issuer: stored.issuer,
          },
          (t) => t.accessToken,
        )
      }),
    'continuum token',
    'curl -H "Authorization: Bearer $(continuum token)" http://127.0.0.1:8080/auth/me',
  )
}

export function whoamiCommand(): Command {
  return withExamples(
    new Command('whoami')
      .description('Show the identity the server sees for the current token')
      .action(async (_opts: unknown, cmd: Command) => {
        const { out, client } = cliContext(cmd)
        printResult(out, await client().auth.whoami(), (w) =>
          formatRecord({
            ...w,
            groups: w.groups.join(' '),
            communities: w.communities.join(' '),
            scopes: w.scopes.join(' '),
          }),
        )
      }),
    'continuum whoami',
  )
}

export function logoutCommand(): Command {
  return withExamples(
    new Command('logout')
      .description('Forget the stored token')
      .action(async (_opts: unknown, cmd: Command) => {
        const { config, out } = cliContext(cmd)
        removeToken(config.home)
        printResult(out, { loggedOut: true }, () => 'logged out')
      }),
    'continuum logout',
  )
}
