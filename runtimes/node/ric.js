'use strict';
// lambda-vpc's Node.js runtime interface client: speaks the Lambda Runtime API (2018-06-01) at
// AWS_LAMBDA_RUNTIME_API, loads the handler named by _HANDLER ("file.export", file relative to LAMBDA_TASK_ROOT),
// and supports async handlers, promise-returning handlers and callback handlers.
const http = require('http');
const path = require('path');
const fs = require('fs');
const url = require('url');
const util = require('util');

const [host, port] = (process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001').split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const base = '/2018-06-01/runtime';
let currentRequestId;

function request(method, p, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), method, path: base + p, agent, headers: headers || {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body); else req.end();
  });
}

// console.* lines as the Node.js runtime writes them: timestamp, request id, level, message.
function patchConsole() {
  const write = (level) => (...args) => {
    const msg = util.format(...args).replace(/\n/g, '\r');
    fs.writeSync(1, `${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${msg}\n`);
  };
  console.log = write('INFO');
  console.info = write('INFO');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.debug = write('DEBUG');
  console.trace = write('TRACE');
}

function errorBody(err, typeOverride) {
  if (err instanceof Error) {
    return {
      errorType: typeOverride || err.name || 'Error',
      errorMessage: err.message,
      trace: (err.stack || '').split('\n'),
    };
  }
  return { errorType: typeOverride || 'Error', errorMessage: typeof err === 'string' ? err : JSON.stringify(err), trace: [] };
}

function logError(body, requestId) {
  const line = JSON.stringify({ errorType: body.errorType, errorMessage: body.errorMessage, stack: body.trace });
  fs.writeSync(1, `${new Date().toISOString()}\t${requestId || 'undefined'}\tERROR\tInvoke Error \t${line}\n`);
}

class UserCodeError extends Error {
  constructor(name, message) { super(message); this.name = name; }
}

async function loadHandler() {
  const handlerSpec = process.env._HANDLER || '';
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const dot = handlerSpec.lastIndexOf('.');
  if (dot <= 0) throw new UserCodeError('Runtime.MalformedHandlerName', 'Bad handler');
  const modulePath = handlerSpec.slice(0, dot);
  const exportPath = handlerSpec.slice(dot + 1);
  const candidates = ['.js', '.mjs', '.cjs'].map((ext) => path.resolve(root, modulePath + ext));
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) {
    throw new UserCodeError('Runtime.ImportModuleError', `Error: Cannot find module '${path.basename(modulePath)}'\nRequire stack:\n- ${__filename}`);
  }
  let mod;
  try {
    mod = file.endsWith('.mjs') ? await import(url.pathToFileURL(file).href) : require(file);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeError('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`);
    throw e;
  }
  let fn = mod;
  for (const part of exportPath.split('.')) fn = fn == null ? undefined : fn[part];
  if (fn === undefined && mod && mod.default) {
    fn = mod.default;
    for (const part of exportPath.split('.')) fn = fn == null ? undefined : fn[part];
  }
  if (typeof fn !== 'function') {
    throw new UserCodeError('Runtime.HandlerNotFound', `${path.basename(modulePath)}.${exportPath} is undefined or not exported`);
  }
  return fn;
}

function makeContext(headers, done) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (err, result) => done(err, result),
    succeed: (result) => done(null, result),
    fail: (err) => done(err == null ? new Error('handled') : err),
  };
  if (headers['lambda-runtime-client-context']) {
    try { context.clientContext = JSON.parse(headers['lambda-runtime-client-context']); } catch (_) { /* keep undefined */ }
  }
  if (headers['lambda-runtime-cognito-identity']) {
    try { context.identity = JSON.parse(headers['lambda-runtime-cognito-identity']); } catch (_) { /* keep undefined */ }
  }
  return context;
}

function runHandler(handler, event, headers) {
  return new Promise((resolve) => {
    let settled = false;
    const done = (err, result) => {
      if (settled) return;
      settled = true;
      resolve(err != null ? { error: err } : { result });
    };
    const context = makeContext(headers, done);
    try {
      const out = handler(event, context, done);
      if (out && typeof out.then === 'function') out.then((r) => done(null, r), (e) => done(e == null ? new Error('undefined') : e));
      else if (handler.length < 3) done(null, undefined);
    } catch (e) {
      done(e);
    }
  });
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    const body = errorBody(e);
    logError(body);
    await request('POST', '/init/error', JSON.stringify(body), {
      'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': body.errorType,
    }).catch(() => {});
    process.exit(1);
  }
  for (;;) {
    const next = await request('GET', '/invocation/next');
    if (next.status !== 200) { process.stderr.write(`invocation/next answered ${next.status}\n`); process.exit(1); }
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'] || '';
    let event;
    try {
      event = next.body.length ? JSON.parse(next.body.toString('utf8')) : null;
    } catch (e) {
      const body = errorBody(new UserCodeError('Runtime.UnmarshalError', `Unable to parse input as json: ${e.message}`));
      await request('POST', `/invocation/${requestId}/error`, JSON.stringify(body), { 'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': body.errorType });
      continue;
    }
    const outcome = await runHandler(handler, event, next.headers);
    if ('error' in outcome) {
      const body = errorBody(outcome.error);
      logError(body, requestId);
      await request('POST', `/invocation/${requestId}/error`, JSON.stringify(body), {
        'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': body.errorType,
      });
    } else {
      const payload = outcome.result === undefined ? 'null' : JSON.stringify(outcome.result);
      await request('POST', `/invocation/${requestId}/response`, payload, { 'Content-Type': 'application/json' });
    }
  }
}

process.on('uncaughtException', (e) => {
  const body = errorBody(e);
  logError(body, currentRequestId);
  process.exit(129);
});
process.on('unhandledRejection', (e) => {
  const body = errorBody(e instanceof Error ? e : new Error(String(e)), 'Runtime.UnhandledPromiseRejection');
  logError(body, currentRequestId);
  process.exit(128);
});

main();
