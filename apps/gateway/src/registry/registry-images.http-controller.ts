import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Controller, Get, Headers, Inject, Param, Put, Req, Res } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { FastifyReply, FastifyRequest } from 'fastify';
import { BlobStore } from '@dockyard/blobstore';
import { DomainError, IMAGE_COMMANDS, PROJECTIONS, WrittenStream, isDomainError, isImageId } from '@dockyard/contracts';
import { emitActivity, sendCommand } from '@dockyard/messaging';
import { HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
import { GATEWAY } from '../gateway.tokens';
import { ReadYourWrites } from '../http/read-your-writes';
import { requestMetadata } from '../http/request-metadata';
import { sendJson } from '../http/send-json';
import { parseByteRange } from './byte-range';
import { ImageAccess, ImageTarget } from './image-access';
import { ImagesReadModel } from './images.read-model';
import { chooseMountSource } from './mount-source';
import { arrivalOf } from '../http/request-arrival';

const ALREADY_EXISTS = { error: 'Image already exists' };

function validId(id: string): string {
  if (!isImageId(id)) throw new DomainError('invalid', 'Invalid image id');
  return id;
}

/**
 * The registry v1 image routes (seed 002, protocol.md §1.2–1.3): json, layer, checksum, ancestry.
 * Every request reaches one namespace's copy of the image (`ImageAccess`); writes only ever the
 * writer's own. Layer bytes stream between the client and the blob store; only metadata travels as
 * commands.
 */
@Controller('v1/images')
export class RegistryImagesHttpController {
  constructor(
    @Inject(GATEWAY.clients.images) private readonly imagesClient: ClientProxy,
    @Inject(GATEWAY.readYourWrites) private readonly readYourWrites: ReadYourWrites,
    @Inject(GATEWAY.images) private readonly images: ImagesReadModel,
    @Inject(GATEWAY.imageAccess) private readonly access: ImageAccess,
    @Inject(GATEWAY.blobs) private readonly blobs: BlobStore,
    @Inject(HUB_RUNTIME) private readonly runtime: HubRuntime,
  ) {}

  @Get(':id/json')
  async json(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { namespace } = await this.access.target(request, validId(id), 'read');
    const image = await this.readable(request, namespace, id);
    void reply
      .header('X-Docker-Size', String(image.size ?? 0))
      .header('X-Docker-Checksum-Payload', image.payloadChecksum ?? '')
      .header('X-Docker-Checksum', image.checksum ?? '');
    void reply.status(200).type('application/json').send(image.json);
  }

  /**
   * Stores the json into the writer's namespace N. When N has no complete copy but another
   * namespace has a complete copy with these exact bytes that the writer may mount (`library`, or a
   * copy the writer pulled from this hub: a child pushed on a base), N gets that image mounted and
   * the client is told "Image already exists", so it skips the layer upload.
   */
  @Put(':id/json')
  async putJson(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const target = await this.access.target(request, validId(id), 'write');
    const { namespace } = target;
    // The exact bytes the client sent: they are part of the payload checksum it will send later.
    const json = (request as FastifyRequest & { rawJson?: string }).rawJson;
    if (typeof json !== 'string') throw new DomainError('invalid', 'The body must be the image json');
    if ((await this.images.find(namespace, id))?.complete) return sendJson(reply, 409, ALREADY_EXISTS);
    await this.mustNotCloseACycle(request, namespace, id);
    const source = await this.mountSource(target, id, json);
    if (source && (await this.mount(request, namespace, id, source, json))) return sendJson(reply, 409, ALREADY_EXISTS);
    const written = await this.command<WrittenStream | null>(request, IMAGE_COMMANDS.StoreJson, { namespace, imageId: id, json }, namespace, id);
    if (written === 'exists') return sendJson(reply, 409, ALREADY_EXISTS);
    await this.readYourWrites.waitFor(PROJECTIONS.imageMetadata, written);
    sendJson(reply, 200, '');
  }

  /** Chunked, streamed to the blob store as it arrives; no body limit (layers can be GBs). */
  @Put(':id/layer')
  async putLayer(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { namespace } = await this.access.target(request, validId(id), 'write');
    // Every json stored before this request is in the row read: the checksum is computed over the latest.
    const image = await this.images.find(namespace, id, arrivalOf(request));
    if (!image) throw new DomainError('not-found', 'Image not found: upload its json first');
    if (image.complete) return sendJson(reply, 409, ALREADY_EXISTS);
    const body = request.body;
    if (!(body instanceof Readable)) throw new DomainError('invalid', 'The layer must be sent as application/octet-stream');
    const payload = createHash('sha256').update(image.json).update('\n');
    const blob = await this.blobs.put(body, (chunk) => payload.update(chunk));
    const written = await this.command<WrittenStream | null>(
      request,
      IMAGE_COMMANDS.RecordLayer,
      { namespace, imageId: id, blobKey: blob.key, size: blob.size, payloadChecksum: `sha256:${payload.digest('hex')}`, hashedJson: image.json },
      namespace,
      id,
    );
    if (written === 'exists') return sendJson(reply, 409, ALREADY_EXISTS);
    await this.readYourWrites.waitFor(PROJECTIONS.imageMetadata, written);
    sendJson(reply, 200, '');
  }

  @Put(':id/checksum')
  async putChecksum(
    @Param('id') id: string,
    @Headers('x-docker-checksum') checksum: string | undefined,
    @Headers('x-docker-checksum-payload') payloadChecksum: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const { namespace } = await this.access.target(request, validId(id), 'write');
    if (!payloadChecksum) throw new DomainError('invalid', 'X-Docker-Checksum-Payload is required');
    const written = await this.command<WrittenStream | null>(
      request,
      IMAGE_COMMANDS.VerifyChecksum,
      { namespace, imageId: id, checksum: checksum ?? '', payloadChecksum },
      namespace,
      id,
    );
    if (written === 'exists') return sendJson(reply, 409, ALREADY_EXISTS);
    await this.readYourWrites.waitFor(PROJECTIONS.imageMetadata, written);
    sendJson(reply, 200, '');
  }

  @Get(':id/layer')
  async layer(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { namespace, username } = await this.access.target(request, validId(id), 'read');
    const image = await this.readable(request, namespace, id);
    const size = image.size ?? 0;
    const range = parseByteRange(request.headers.range, size);
    void reply.header('Accept-Ranges', 'bytes');
    if (range === 'unsatisfiable') {
      // A refusal like every other: a JSON error body (it had an empty octet-stream one).
      return void sendJson(reply.header('Content-Range', `bytes */${size}`), 416, { error: 'Range Not Satisfiable' });
    }
    void reply.type('application/octet-stream');
    const stream = await this.blobs.get(image.blobKey!, range);
    if (username) this.recordFetch(request, username, namespace, id);
    if (range) {
      void reply
        .status(206)
        .header('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
        .header('Content-Length', String(range.end - range.start + 1));
    } else {
      void reply.status(200).header('Content-Length', String(size));
    }
    return reply.send(stream);
  }

  /**
   * A json whose parent chain in the namespace already leads back to this id (X's parent Y stored
   * first, then Y with parent X) would make a chain without a base: 400. The image aggregate sees
   * only its own image, so the chain is read here; two such jsons stored at the same instant can
   * still both pass, which `ancestry` survives (it stops at the first id it has seen).
   */
  private async mustNotCloseACycle(request: FastifyRequest, namespace: string, id: string): Promise<void> {
    const parent = (request.body as { parent?: unknown } | null)?.parent;
    if (typeof parent !== 'string' || !isImageId(parent)) return; // the image aggregate judges what is no id
    if (parent !== id && (await this.images.chainReaches(namespace, parent, id))) {
      throw new DomainError('invalid', 'The parent chain of this image leads back to it');
    }
  }

  /** Parents within the same namespace: the namespace's own (uploaded or mounted) copies. */
  @Get(':id/ancestry')
  async ancestry(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { namespace } = await this.access.target(request, validId(id), 'read');
    await this.readable(request, namespace, id);
    sendJson(reply, 200, await this.images.ancestry(namespace, id, arrivalOf(request)));
  }

  /** Complete images only: one still being uploaded answers like docker-registry did. */
  private async readable(request: FastifyRequest, namespace: string, id: string) {
    const image = await this.images.find(namespace, id, arrivalOf(request));
    if (!image) throw new DomainError('not-found', 'Image not found');
    if (!image.complete || !image.blobKey) throw new DomainError('invalid', 'Image is being uploaded, retry later');
    return image;
  }

  /**
   * The namespace to mount the pushed json from (`chooseMountSource`), if any. A copy the pusher
   * fetched counts only once its fetch is in read.image_fetches, and the fetch is recorded after the
   * pull without being awaited: a push right after a pull (on any replica) may be a moment ahead of
   * it. So when there are candidate copies but none the pusher fetched, this re-reads for at most the
   * read-your-writes timeout before falling back to an upload of the pusher's own bytes.
   */
  private async mountSource(target: ImageTarget, id: string, json: string): Promise<string | undefined> {
    const reader = await target.reader();
    const deadline = Date.now() + this.runtime.config.readYourWritesTimeoutMs;
    let delay = 5;
    for (;;) {
      const decision = chooseMountSource(await this.images.mountCandidates(id, json, reader, target.namespace, target.username));
      if (decision.source !== null) return decision.source;
      if (!decision.awaitFetch || !target.username || Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 50);
    }
  }

  /**
   * "`username` was served `namespace`'s copy of `imageId`": the provenance that lets their later
   * push of a child mount that copy. Off the pull's hot path: published on the activity topic
   * without being awaited; a lost record only costs an upload later, so errors are only logged.
   */
  private recordFetch(request: FastifyRequest, username: string, namespace: string, imageId: string): void {
    const fetched = { activityId: randomUUID(), repositoryId: null, kind: 'image-fetched' as const, username, namespace, imageId, at: new Date().toISOString() };
    emitActivity(this.imagesClient, fetched).catch((error: unknown) => request.log.warn({ err: error }, 'image fetch not recorded'));
  }

  /**
   * Mounts `source`'s copy into `namespace`: true when the namespace's copy is complete afterwards.
   * A refusal (the source changed meanwhile, its parent is missing here) lets the push go on as an
   * upload of the client's own bytes.
   */
  private async mount(request: FastifyRequest, namespace: string, id: string, source: string, json: string): Promise<boolean> {
    try {
      const written = await this.command<WrittenStream | null>(
        request,
        IMAGE_COMMANDS.MountImage,
        { namespace, imageId: id, sourceNamespace: source, json },
        namespace,
        id,
      );
      if (written !== 'exists') await this.readYourWrites.waitFor(PROJECTIONS.imageMetadata, written);
      return true;
    } catch (error) {
      if (isDomainError(error)) return false;
      throw error;
    }
  }

  private async command<T>(request: FastifyRequest, pattern: string, payload: object, namespace: string, imageId: string): Promise<T | 'exists'> {
    try {
      return await sendCommand<T>(this.imagesClient, pattern, payload, requestMetadata(request), `${namespace}/${imageId}`);
    } catch (error) {
      if ((error as DomainError).code === 'already-exists') return 'exists';
      throw error;
    }
  }
}
