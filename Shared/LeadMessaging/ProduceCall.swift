import CRdKafka
import Foundation

/// Builds the `rd_kafka_vu_t` array for one record and calls `rd_kafka_produceva`
/// (Swift cannot call the variadic `rd_kafka_producev`).
///
/// Every pointer handed to librdkafka is a private copy freed after the call; with
/// `RD_KAFKA_MSG_F_COPY` librdkafka copies key and value, and it always copies headers.
enum ProduceCall {
    /// Enqueues `message` with `id` as its per-message opaque; returns the librdkafka error, if any.
    static func enqueue(_ message: OutgoingMessage, id: UInt, on rk: OpaquePointer) -> KafkaError? {
        var arena = Arena()
        defer { arena.freeAll() }

        var values: [rd_kafka_vu_t] = []
        values.reserveCapacity(6 + message.headers.count)

        var topic = rd_kafka_vu_t()
        topic.vtype = RD_KAFKA_VTYPE_TOPIC
        topic.u.cstr = UnsafePointer(arena.string(message.topic))
        values.append(topic)

        if let partition = message.partition {
            var vu = rd_kafka_vu_t()
            vu.vtype = RD_KAFKA_VTYPE_PARTITION
            vu.u.i32 = partition
            values.append(vu)
        }

        if let key = message.key {
            var vu = rd_kafka_vu_t()
            vu.vtype = RD_KAFKA_VTYPE_KEY
            vu.u.mem.ptr = arena.bytes(key)
            vu.u.mem.size = key.count
            values.append(vu)
        }

        var value = rd_kafka_vu_t()
        value.vtype = RD_KAFKA_VTYPE_VALUE
        value.u.mem.ptr = arena.bytes(message.value)
        value.u.mem.size = message.value.count
        values.append(value)

        for header in message.headers {
            var vu = rd_kafka_vu_t()
            vu.vtype = RD_KAFKA_VTYPE_HEADER
            vu.u.header.name = UnsafePointer(arena.string(header.key))
            if let bytes = header.value {
                vu.u.header.val = UnsafeRawPointer(arena.bytes(bytes))
                vu.u.header.size = bytes.count
            } else {
                vu.u.header.val = nil
                vu.u.header.size = 0
            }
            values.append(vu)
        }

        var flags = rd_kafka_vu_t()
        flags.vtype = RD_KAFKA_VTYPE_MSGFLAGS
        flags.u.i = RD_KAFKA_MSG_F_COPY
        values.append(flags)

        var opaque = rd_kafka_vu_t()
        opaque.vtype = RD_KAFKA_VTYPE_OPAQUE
        opaque.u.ptr = UnsafeMutableRawPointer(bitPattern: id)
        values.append(opaque)

        let error = values.withUnsafeBufferPointer { buffer in
            rd_kafka_produceva(rk, buffer.baseAddress, buffer.count)
        }
        return error.map(KafkaError.consuming)
    }

    /// Private C copies that live until the produce call returns.
    private struct Arena {
        private var pointers: [UnsafeMutableRawPointer] = []

        mutating func string(_ string: String) -> UnsafeMutablePointer<CChar> {
            let pointer = strdup(string)!
            pointers.append(UnsafeMutableRawPointer(pointer))
            return pointer
        }

        /// A copy of `bytes`; never `NULL`, so an empty array stays an empty (not a null) value.
        mutating func bytes(_ bytes: [UInt8]) -> UnsafeMutableRawPointer {
            let pointer = malloc(max(1, bytes.count))!
            bytes.withUnsafeBytes { source in
                if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: source.count) }
            }
            pointers.append(pointer)
            return pointer
        }

        func freeAll() {
            for pointer in pointers { free(pointer) }
        }
    }
}
