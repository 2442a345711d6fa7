// Node-API surface of NVX. JavaScript binds one kernel at a time: `bind(name)` returns the
// functions with that kernel as their callback data, so a call dispatches with no lookup and
// tests can run every kernel the CPU has side by side.
//
//   kernels                          [{ name, usable }], best first
//   bind(name) -> {
//     mask(source, output, outputOffset, length, key)
//     unmask(buffer, key)
//     isValidUtf8(buffer) -> boolean
//     push(state, chunk[, start, end]) -> boolean
//     unmaskPush(state, buffer, key) -> boolean
//     args                           Float64Array(4) that the two calls below read
//     maskArgs(source, output)       args = [key, outputOffset, length]
//     unmaskArgs(buffer)             args = [key]
//   }
//
// Bytes are Uint8Arrays (Buffers). `state` is the ArrayBuffer of the validator's Float64Array(4)
// (see utf8-stream.h), which the validator keeps, so the lookup is the cheap ArrayBuffer one.
// `key` is the 4-byte mask as a little-endian uint32, already rotated to the phase.
//
// The five entry points are plain Node-API callbacks, not node-addon-api wrappers: at small sizes
// a call is all overhead, and the wrapper's CallbackInfo adds about 12 ns to a 60 ns call here.
// maskArgs and unmaskArgs are the cheaper crossing the engine uses (see docs/accelerator.md):
// their numbers (key, offset, length) are not arguments but written by JavaScript into `args`,
// a Float64Array over memory this side reads directly, which saves a napi_get_value_* per
// number (about 4-5 ns each here). Passing ArrayBuffers instead of views would make the lookup
// cheaper still on this side, but `view.buffer` is a C++ builtin in V8 that costs more in
// JavaScript than it saves here.
// Module setup and `bind` use node-addon-api. Offsets and lengths are checked here, because a
// wrong one would touch memory it must not; friendlier validation happens in TypeScript.
#include <napi.h>

#include <cstdint>

#include "registry.h"
#include "utf8-stream.h"

namespace {

using nvx::Kernel;

constexpr size_t kMaxArgs = 5;

// What every function of one `bind` gets as its callback data. `args` is the backing store of
// the `args` ArrayBuffer, which a strong reference keeps alive (and in place: it is not
// resizable) for the life of the environment.
struct Bound {
  const Kernel* kernel;
  double* args;
  napi_ref argsRef;
};
constexpr size_t kArgSlots = 4;
enum : size_t { kKeySlot = 0, kOffsetSlot = 1, kLengthSlot = 2 };

// Numbers read from `args` are checked like arguments: JavaScript can write anything there.
bool argsIndex(double d, size_t* out) {
  if (!(d >= 0) || d > 9007199254740991.0 || d != double(uint64_t(d))) return false;
  *out = size_t(d);
  return true;
}
bool argsKey(double d, uint32_t* out) {
  if (!(d >= 0) || d > 4294967295.0 || d != double(uint32_t(d))) return false;
  *out = uint32_t(d);
  return true;
}

struct Args {
  napi_value argv[kMaxArgs];
  size_t argc = kMaxArgs;
  const Kernel* kernel = nullptr;
};

bool readArgs(napi_env env, napi_callback_info info, Args* a) {
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &a->argc, a->argv, nullptr, &data) != napi_ok) return false;
  a->kernel = static_cast<const Bound*>(data)->kernel;
  return true;
}

napi_value fail(napi_env env, const char* message, bool range = false) {
  if (range) napi_throw_range_error(env, nullptr, message);
  else napi_throw_type_error(env, nullptr, message);
  return nullptr;
}

// Any ArrayBufferView's bytes (Buffer, Uint8Array); napi_get_buffer_info is the cheapest lookup.
bool bytesAt(napi_env env, const Args& a, size_t i, uint8_t** data, size_t* length) {
  void* p = nullptr;
  if (i >= a.argc || napi_get_buffer_info(env, a.argv[i], &p, length) != napi_ok) return false;
  *data = static_cast<uint8_t*>(p);
  return true;
}

bool indexAt(napi_env env, const Args& a, size_t i, size_t* out) {
  double d = 0;
  if (i >= a.argc || napi_get_value_double(env, a.argv[i], &d) != napi_ok || !(d >= 0) || d > 9007199254740991.0)
    return false;
  *out = size_t(d);
  return true;
}

bool keyAt(napi_env env, const Args& a, size_t i, uint32_t* out) {
  return i < a.argc && napi_get_value_uint32(env, a.argv[i], out) == napi_ok;
}

bool stateAt(napi_env env, const Args& a, size_t i, nvx::StreamState** out) {
  void* data = nullptr;
  size_t length = 0;
  if (i >= a.argc || napi_get_arraybuffer_info(env, a.argv[i], &data, &length) != napi_ok ||
      length < sizeof(nvx::StreamState) || reinterpret_cast<uintptr_t>(data) % alignof(nvx::StreamState) != 0)
    return false;
  *out = static_cast<nvx::StreamState*>(data);
  return true;
}

napi_value boolean(napi_env env, bool value) {
  napi_value result = nullptr;
  napi_get_boolean(env, value, &result);
  return result;
}

// mask(source, output, outputOffset, length, key)
napi_value Mask(napi_env env, napi_callback_info info) {
  Args a;
  uint8_t *src = nullptr, *dst = nullptr;
  size_t srcLength = 0, dstLength = 0, offset = 0, length = 0;
  uint32_t key = 0;
  if (!readArgs(env, info, &a) || !bytesAt(env, a, 0, &src, &srcLength) || !bytesAt(env, a, 1, &dst, &dstLength))
    return fail(env, "NVX mask: source and output must be Uint8Arrays");
  if (!indexAt(env, a, 2, &offset) || !indexAt(env, a, 3, &length) || !keyAt(env, a, 4, &key))
    return fail(env, "NVX mask: bad offset, length or key", true);
  if (length > srcLength || offset > dstLength || length > dstLength - offset)
    return fail(env, "NVX mask: range is out of bounds", true);
  a.kernel->mask(src, dst + offset, length, key);
  return nullptr;
}

// unmask(buffer, key)
napi_value Unmask(napi_env env, napi_callback_info info) {
  Args a;
  uint8_t* p = nullptr;
  size_t length = 0;
  uint32_t key = 0;
  if (!readArgs(env, info, &a) || !bytesAt(env, a, 0, &p, &length)) return fail(env, "NVX unmask: buffer must be a Uint8Array");
  if (!keyAt(env, a, 1, &key)) return fail(env, "NVX unmask: bad key", true);
  a.kernel->mask(p, p, length, key);
  return nullptr;
}

// isValidUtf8(buffer) -> boolean
napi_value IsValidUtf8(napi_env env, napi_callback_info info) {
  Args a;
  uint8_t* p = nullptr;
  size_t length = 0;
  if (!readArgs(env, info, &a) || !bytesAt(env, a, 0, &p, &length)) return fail(env, "NVX isValidUtf8: expected a Uint8Array");
  return boolean(env, nvx::isValidUtf8(a.kernel, p, length));
}

// push(state, chunk[, start, end]) -> boolean; without start/end, two fewer conversions.
napi_value Push(napi_env env, napi_callback_info info) {
  Args a;
  nvx::StreamState* st = nullptr;
  uint8_t* p = nullptr;
  size_t length = 0;
  if (!readArgs(env, info, &a) || !stateAt(env, a, 0, &st) || !bytesAt(env, a, 1, &p, &length))
    return fail(env, "NVX push: expected (state, Uint8Array)");
  size_t start = 0, end = length;
  if (a.argc > 2) {
    if (!indexAt(env, a, 2, &start) || !indexAt(env, a, 3, &end) || start > end || end > length)
      return fail(env, "NVX push: range is out of bounds", true);
  }
  return boolean(env, nvx::streamPush(a.kernel, st, p + start, end - start));
}

// unmaskPush(state, buffer, key) -> boolean
napi_value UnmaskPush(napi_env env, napi_callback_info info) {
  Args a;
  nvx::StreamState* st = nullptr;
  uint8_t* p = nullptr;
  size_t length = 0;
  uint32_t key = 0;
  if (!readArgs(env, info, &a) || !stateAt(env, a, 0, &st) || !bytesAt(env, a, 1, &p, &length))
    return fail(env, "NVX unmaskPush: expected (state, Uint8Array, key)");
  if (!keyAt(env, a, 2, &key)) return fail(env, "NVX unmaskPush: bad key", true);
  return boolean(env, nvx::streamUnmaskPush(a.kernel, st, p, length, key));
}

// maskArgs(source, output), args = [key, outputOffset, length]
napi_value MaskArgs(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  void* data = nullptr;
  uint8_t *src = nullptr, *dst = nullptr;
  size_t srcLength = 0, dstLength = 0;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, &data) != napi_ok || argc < 2 ||
      napi_get_buffer_info(env, argv[0], reinterpret_cast<void**>(&src), &srcLength) != napi_ok ||
      napi_get_buffer_info(env, argv[1], reinterpret_cast<void**>(&dst), &dstLength) != napi_ok)
    return fail(env, "NVX maskArgs: source and output must be Uint8Arrays");
  const Bound* b = static_cast<const Bound*>(data);
  uint32_t key = 0;
  size_t offset = 0, length = 0;
  if (!argsKey(b->args[kKeySlot], &key) || !argsIndex(b->args[kOffsetSlot], &offset) ||
      !argsIndex(b->args[kLengthSlot], &length) || length > srcLength || offset > dstLength ||
      length > dstLength - offset)
    return fail(env, "NVX maskArgs: bad key, or range out of bounds", true);
  b->kernel->mask(src, dst + offset, length, key);
  return nullptr;
}

// unmaskArgs(buffer), args = [key]
napi_value UnmaskArgs(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  void* data = nullptr;
  uint8_t* p = nullptr;
  size_t length = 0;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, &data) != napi_ok || argc < 1 ||
      napi_get_buffer_info(env, argv[0], reinterpret_cast<void**>(&p), &length) != napi_ok)
    return fail(env, "NVX unmaskArgs: buffer must be a Uint8Array");
  const Bound* b = static_cast<const Bound*>(data);
  uint32_t key = 0;
  if (!argsKey(b->args[kKeySlot], &key)) return fail(env, "NVX unmaskArgs: bad key", true);
  b->kernel->mask(p, p, length, key);
  return nullptr;
}

Napi::Function rawFunction(Napi::Env env, const char* name, napi_callback cb, Bound* b) {
  napi_value fn = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, b, &fn),
                       Napi::Function());
  return Napi::Function(env, fn);
}

Napi::Value Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "NVX: bind(name) needs a kernel name").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  const Kernel* k = nvx::findUsableKernel(name.c_str());
  if (k == nullptr) {
    Napi::Error::New(env, "NVX: kernel '" + name + "' is not available on this CPU").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  // Freed with the environment, like the reference that keeps `args` alive.
  Bound* b = new Bound{k, nullptr, nullptr};
  napi_add_env_cleanup_hook(
      env,
      [](void* data) {
        Bound* bound = static_cast<Bound*>(data);
        delete bound;
      },
      b);
  Napi::ArrayBuffer argsBuffer = Napi::ArrayBuffer::New(env, kArgSlots * sizeof(double));
  b->args = static_cast<double*>(argsBuffer.Data());
  for (size_t i = 0; i < kArgSlots; i++) b->args[i] = 0;
  NAPI_THROW_IF_FAILED(env, napi_create_reference(env, argsBuffer, 1, &b->argsRef), Napi::Value());
  Napi::Object fns = Napi::Object::New(env);
  fns.Set("name", Napi::String::New(env, k->name));
  fns.Set("mask", rawFunction(env, "mask", Mask, b));
  fns.Set("unmask", rawFunction(env, "unmask", Unmask, b));
  fns.Set("isValidUtf8", rawFunction(env, "isValidUtf8", IsValidUtf8, b));
  fns.Set("push", rawFunction(env, "push", Push, b));
  fns.Set("unmaskPush", rawFunction(env, "unmaskPush", UnmaskPush, b));
  fns.Set("args", Napi::Float64Array::New(env, kArgSlots, argsBuffer, 0));
  fns.Set("maskArgs", rawFunction(env, "maskArgs", MaskArgs, b));
  fns.Set("unmaskArgs", rawFunction(env, "unmaskArgs", UnmaskArgs, b));
  return fns;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Array kernels = Napi::Array::New(env, nvx::kernelCount());
  for (size_t i = 0; i < nvx::kernelCount(); i++) {
    nvx::KernelEntry e = nvx::kernelAt(i);
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", Napi::String::New(env, e.kernel->name));
    o.Set("usable", Napi::Boolean::New(env, e.usable));
    kernels.Set(uint32_t(i), o);
  }
  exports.Set("kernels", kernels);
  exports.Set("bind", Napi::Function::New(env, Bind, "bind"));
  return exports;
}

}  // namespace

NODE_API_MODULE(nvx, Init)
