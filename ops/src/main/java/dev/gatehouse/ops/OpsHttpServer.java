package dev.gatehouse.ops;

import dev.gatehouse.authn.spi.Authenticator;
import dev.gatehouse.broker.Broker;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoint on its own HTTP listener and its own single thread (never a broker I/O thread):
 * {@code GET /metrics} in the Prometheus text format (or whatever exposition format the {@code Accept} header asks
 * for: OpenMetrics, Prometheus protobuf), {@code GET /health/live} and {@code GET /health/ready} as JSON, 200 when
 * up / ready and 503 when not. Ready means the broker's listeners are bound and accepting and every authenticator
 * of the chain in use says {@link Authenticator#ready()} (a JWKS endpoint fetched once, an account server that
 * answers). It has no authentication: bind it to loopback or a management network.
 */
public final class OpsHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OpsHttpServer.class);

    private final EventLoopGroup group;
    private final Channel channel;

    private OpsHttpServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Bind {@code host:port} (port 0: a free one) and serve. {@code broker} supplies the broker to check (null
     * before it is built: not ready). Throws when the address cannot be bound.
     */
    public static OpsHttpServer start(String host, int port, PrometheusMeterRegistry registry,
                                      Supplier<Broker> broker) {
        EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("gatehouse-http", true));
        ExpositionFormats formats = ExpositionFormats.init();
        try {
            Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new ReadTimeoutHandler(30))
                                    .addLast(new HttpServerCodec(4096, 8192, 8192))
                                    .addLast(new HttpObjectAggregator(8192))
                                    .addLast(new Handler(registry, formats, broker));
                        }
                    })
                    .bind(new InetSocketAddress(host, port)).syncUninterruptibly().channel();
            log.info("HTTP endpoint (/metrics, /health/live, /health/ready) bound to {}", ch.localAddress());
            return new OpsHttpServer(group, ch);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            throw new IllegalStateException("HTTP endpoint cannot bind " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The readiness verdict and its parts, as served by {@code /health/ready}. */
    public record Readiness(boolean ready, boolean listeners, List<AuthenticatorState> authenticators) {
        String json() {
            StringBuilder b = new StringBuilder("{\"status\":\"").append(ready ? "UP" : "DOWN")
                    .append("\",\"ready\":").append(ready).append(",\"listeners\":").append(listeners)
                    .append(",\"authenticators\":[");
            for (int i = 0; i < authenticators.size(); i++) {
                AuthenticatorState a = authenticators.get(i);
                b.append(i == 0 ? "" : ",").append("{\"name\":").append(quote(a.name())).append(",\"ready\":")
                        .append(a.ready()).append('}');
            }
            return b.append("]}").toString();
        }
    }

    public record AuthenticatorState(String name, boolean ready) {
    }

    /** Whether {@code broker} is ready now (false for null: not built yet). */
    public static Readiness readiness(Broker broker) {
        if (broker == null) {
            return new Readiness(false, false, List.of());
        }
        boolean listeners = broker.isRunning();
        List<AuthenticatorState> auth = broker.authenticators().stream()
                .map(a -> new AuthenticatorState(a.name(), safeReady(a))).toList();
        boolean ready = listeners && auth.stream().allMatch(AuthenticatorState::ready);
        return new Readiness(ready, listeners, auth);
    }

    private static boolean safeReady(Authenticator a) {
        try {
            return a.ready();
        } catch (RuntimeException e) {
            log.warn("authenticator {} failed its readiness check", a.name(), e);
            return false;
        }
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final PrometheusMeterRegistry registry;
        private final ExpositionFormats formats;
        private final Supplier<Broker> broker;

        Handler(PrometheusMeterRegistry registry, ExpositionFormats formats, Supplier<Broker> broker) {
            this.registry = registry;
            this.formats = formats;
            this.broker = broker;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (!req.decoderResult().isSuccess()) {
                send(ctx, req, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8", text("bad request\n"));
                return;
            }
            String path = new QueryStringDecoder(req.uri()).path();
            boolean known = path.equals("/metrics") || path.equals("/health/live") || path.equals("/health/ready");
            if (!known) {
                send(ctx, req, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", text("not found\n"));
                return;
            }
            if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                FullHttpResponse r = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                        text("only GET\n"));
                r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
                write(ctx, req, r);
                return;
            }
            switch (path) {
                case "/metrics" -> metrics(ctx, req);
                case "/health/live" -> send(ctx, req, HttpResponseStatus.OK, "application/json",
                        text("{\"status\":\"UP\"}"));
                default -> {
                    Readiness r = readiness(broker.get());
                    send(ctx, req, r.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "application/json", text(r.json()));
                }
            }
        }

        private void metrics(ChannelHandlerContext ctx, FullHttpRequest req) {
            ExpositionFormatWriter writer = formats.findWriter(req.headers().get(HttpHeaderNames.ACCEPT));
            ByteBuf body = ctx.alloc().buffer();
            try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
                writer.write(out, registry.getPrometheusRegistry().scrape());
            } catch (IOException | RuntimeException e) {
                body.release();
                log.warn("scraping metrics failed", e);
                send(ctx, req, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                        text("scrape failed\n"));
                return;
            }
            send(ctx, req, HttpResponseStatus.OK, writer.getContentType(), body);
        }

        private static ByteBuf text(String s) {
            return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
        }

        private static FullHttpResponse response(HttpResponseStatus status, String type, ByteBuf body) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            return r;
        }

        private static void send(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String type,
                                 ByteBuf body) {
            write(ctx, req, response(status, type, body));
        }

        private static void write(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse r) {
            if (req.method().equals(HttpMethod.HEAD)) {
                r.content().clear();
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (keepAlive) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(r);
            } else {
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("HTTP endpoint connection failed", cause);
            ctx.close();
        }
    }
}
