/**
 * The registry's areas for what users and repositories send in: definition
 * files, Git repositories and context URLs, HTTP requests, workspace images.
 * Split from error-codes.ts only to keep each file readable; error-codes.ts
 * merges them, and its header's rules (never rename, remove or reuse a code)
 * hold here too.
 */
import type { ErrorArea } from './error-code-info.js';

export const INPUT_AREAS = {
  definition: {
    title: "The repository's definition file",
    codes: {
      SLIPWAY_DEFINITION_INVALID: {
        status: 422,
        summary: 'The .gitpod.yml or devcontainer.json has errors (listed with line numbers in the message and detail).',
        fix: 'Fix the file; `npx slipway validate <repo>` shows the same errors without a server.',
      },
      SLIPWAY_DEFINITION_IMAGE_REFUSED: {
        status: 422,
        summary: "The definition names an image this server does not run for it (one of Slipway's own snapshot or build images, or one with an invalid name).",
        fix: 'Name an ordinary image, or a Dockerfile, in the definition.',
      },
      SLIPWAY_DEFINITION_COMPOSE_UNSUPPORTED: {
        status: 422,
        summary: 'The devcontainer.json uses Docker Compose, which Slipway does not run yet.',
        fix: 'Use "image" or "build.dockerfile" in a devcontainer.json, or a .gitpod.yml.',
      },
    },
  },
  git: {
    title: 'Git repositories and context URLs',
    codes: {
      SLIPWAY_GIT_BAD_URL: {
        status: 400,
        summary: 'The context URL is not a repository, branch, commit or pull request URL this server accepts (or file:// URLs are disabled).',
        fix: 'Paste a clone URL or a forge page URL of the repository (the message lists the accepted forms).',
      },
      SLIPWAY_GIT_BAD_REF: {
        status: 400,
        summary: 'A branch name, commit id or pull request number in the request is malformed.',
        fix: 'Check the ref in the URL or body.',
      },
      SLIPWAY_GIT_BAD_PATH: {
        status: 400,
        summary: 'A path points outside the repository, or is not a folder where one is needed.',
        fix: 'Use a path inside the repository (e.g. fix a Docker build context or checkoutLocation).',
      },
      SLIPWAY_GIT_PR_UNSUPPORTED: {
        status: 400,
        summary: 'This Git server does not publish pull request refs, so a pull request cannot be opened directly.',
        fix: "Open the pull request's source branch instead.",
      },
      SLIPWAY_GIT_ACCESS_DENIED: {
        status: 403,
        summary: "The repository is private and you hold no access token for it; the server never lends another user's token.",
        fix: 'Register the repository as your own project with your access token (POST /api/projects).',
      },
      SLIPWAY_GIT_AUTH_FAILED: {
        status: 403,
        summary: 'The Git server asked for credentials: the repository is private or does not exist, or the token used was refused.',
        fix: "Check the URL; add or renew the project's access token (the message names the project).",
      },
      SLIPWAY_GIT_UNKNOWN_BRANCH: {
        status: 404,
        summary: 'The branch does not exist in the repository (the message lists existing ones).',
        fix: 'Pick an existing branch, or push it first.',
      },
      SLIPWAY_GIT_UNKNOWN_COMMIT: {
        status: 404,
        summary: 'The commit does not exist in the repository.',
        fix: 'Check the commit id, or push the commit first.',
      },
      SLIPWAY_GIT_UNKNOWN_PULL_REQUEST: { status: 404, summary: 'The pull request does not exist in the repository.', fix: 'Check the pull request number.' },
      SLIPWAY_GIT_PATH_NOT_FOUND: {
        status: 404,
        summary: 'A file or folder the definition names does not exist at the commit.',
        fix: 'Fix the path in the definition, or commit the file.',
      },
      SLIPWAY_GIT_EMPTY_REPOSITORY: { status: 409, summary: 'The repository has no commits yet.', fix: 'Push a first commit.' },
      SLIPWAY_GIT_FILE_TOO_LARGE: {
        status: 422,
        summary: 'A file the server reads from the repository (definition, Dockerfile) is over the size limit (16 MiB).',
        fix: 'Keep definition files and Dockerfiles small.',
      },
      SLIPWAY_GIT_CLONE_FAILED: {
        status: 502,
        alsoStatus: [404],
        summary: 'Cloning the repository failed (404 when the Git server says it does not exist).',
        fix: "Check the URL and that the Git server answers; the message has git's own reason.",
      },
      SLIPWAY_GIT_FETCH_FAILED: {
        status: 502,
        alsoStatus: [404],
        summary: 'Fetching from the repository failed (404 when the Git server says it does not exist).',
        fix: "Check that the Git server answers; the message has git's own reason.",
      },
      SLIPWAY_GIT_HOST_UNREACHABLE: {
        status: 502,
        summary: 'The repository is on an internal address (loopback, private, link-local, Docker, or this server) that the server may not connect to.',
        fix: 'An administrator admits an internal Git server with SLIPWAY_GIT_HOSTS_ALLOW.',
      },
      SLIPWAY_GIT_REDIRECTED: {
        status: 502,
        summary: 'The Git server redirects the repository elsewhere; redirects are not followed.',
        fix: "Use the repository's current URL.",
      },
      SLIPWAY_GIT_CHECKOUT_FAILED: {
        status: 500,
        summary: 'Checking the repository out into a folder failed.',
        fix: "Try again; the log has git's output. Report it if it persists.",
      },
      SLIPWAY_GIT_FAILED: {
        status: 500,
        summary: 'A git command the server runs on its mirror failed unexpectedly.',
        fix: "Try again; the message and log have git's output. Report it if it persists.",
      },
    },
  },
  http: {
    title: 'HTTP requests',
    codes: {
      SLIPWAY_HTTP_BAD_REQUEST: {
        status: 400,
        summary:
          'The request is malformed in a way the framework noticed (e.g. a body shorter than its Content-Length); other 4xx statuses of the framework keep their status.',
        fix: 'Fix the request as the message says.',
      },
      SLIPWAY_HTTP_BAD_JSON: { status: 400, summary: 'The request body is not valid JSON.', fix: 'Send a valid JSON document.' },
      SLIPWAY_HTTP_BODY_TOO_DEEP: { status: 400, summary: 'The JSON body nests deeper than 64 levels.', fix: 'Send a flatter document.' },
      SLIPWAY_HTTP_BAD_PATH: {
        status: 400,
        summary: 'The request path is malformed (a bad %-escape, dot segments or control characters).',
        fix: 'Send a plain path like /api/workspaces/<id>.',
      },
      SLIPWAY_HTTP_CROSS_SITE: {
        status: 403,
        summary: "A change (or WebSocket) authenticated by the session cookie came from a page that is not Slipway's own.",
        fix: 'Scripts send Authorization: Bearer <token>; if you open Slipway at another address, set SLIPWAY_PUBLIC_URL to it.',
      },
      SLIPWAY_HTTP_NOT_FOUND: {
        status: 404,
        summary: 'No route (or WebSocket) has this method and path.',
        fix: 'Check the URL against the API (DESIGN.md §7).',
      },
      SLIPWAY_HTTP_BODY_TOO_LARGE: {
        status: 413,
        summary: 'The request body is larger than SLIPWAY_BODY_LIMIT_BYTES.',
        fix: 'Send less, or have the operator raise SLIPWAY_BODY_LIMIT_BYTES.',
      },
      SLIPWAY_HTTP_UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'The request body is not JSON.', fix: 'Send Content-Type: application/json.' },
    },
  },
  image: {
    title: 'Workspace images',
    codes: {
      SLIPWAY_IMAGE_MISSING: {
        status: 422,
        summary: 'The default workspace image is missing and cannot be pulled.',
        fix: 'The operator runs npm run setup to build it, or sets SLIPWAY_DEFAULT_IMAGE.',
      },
      SLIPWAY_IMAGE_UNAVAILABLE: {
        status: 422,
        summary: 'The image the definition names can neither be pulled nor mapped to a local one (the message lists what was tried).',
        fix: 'Fix the image name, make the image available to the Docker engine, or map it in SLIPWAY_IMAGE_ALIASES.',
      },
      SLIPWAY_IMAGE_PULL_FAILED: {
        status: 422,
        summary: 'Pulling the image failed.',
        fix: 'Check the image name in the definition, or make the image available to the Docker engine.',
      },
      SLIPWAY_IMAGE_BUILD_FAILED: {
        status: 422,
        summary: "Building the definition's Dockerfile failed (the log has the build output).",
        fix: 'Fix the Dockerfile; build it locally with docker build to see the failing step.',
      },
      SLIPWAY_IMAGE_DOCKERFILE_MISSING: {
        status: 422,
        summary: 'The Dockerfile the definition names does not exist at the commit.',
        fix: 'Fix the path in the definition file, or commit the Dockerfile.',
      },
      SLIPWAY_IMAGE_DOCKERFILE_OUTSIDE_CONTEXT: {
        status: 422,
        summary: 'The Dockerfile lies outside its build context.',
        fix: 'Move the context up (e.g. "context": "..") so that it contains the Dockerfile.',
      },
      SLIPWAY_IMAGE_INSPECT_FAILED: { status: 503, summary: 'The image is present, but the Docker engine cannot inspect it right now.', fix: 'Try again.' },
    },
  },
} as const satisfies Readonly<Record<string, ErrorArea>>;
