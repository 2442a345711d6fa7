// Node-API surface of NVX. JavaScript binds one kernel at a time: `bind(name)` returns the
// functions with that kernel as their callback data, so a call dispatches with no lookup and
// tests can run every kernel the CPU has side by side.
//
//   kernels                          [{ name, usable }], best first
//   bind(name) -> {
//     mask(source, output, outputOffset, length, key) -> true
//     unmask(buffer, key) -> true
//     isValidUtf8(buffer) -> boolean
//     push(state, chunk[, start, end]) -> boolean
//     unmaskPush(state, buffer, key) -> boolean
//   }
//
// Bytes are Uint8Arrays (Buffers). `state` is the ArrayBuffer of the validator's Float64Array(4)
// (see utf8-stream.h): the validator keeps it, so reading an ArrayBuffer's pointer is cheaper than
// a typed array's. Data buffers stay typed arrays, because fetching `.buffer` in JavaScript costs
// more than the typed array lookup here. `key` is the 4-byte mask as a little-endian uint32,
// already rotated to the phase. Every function returns undefined, doing nothing, when a byte
// argument is not a Uint8Array; the caller then takes the JavaScript path.
//
// Offsets and lengths are checked here, because a wrong one would touch memory it must not;
// friendlier validation of user input happens in the TypeScript layer.
#include <napi.h>

#include <cstdint>

#include "registry.h"
#include "utf8-stream.h"

namespace {

using nvx::Kernel;

bool getBytes(const Napi::CallbackInfo& info, size_t index, uint8_t** data, size_t* length) {
  napi_typedarray_type type;
  void* p = nullptr;
  // No arraybuffer/byteOffset out-parameters: asking for them costs a handle per call.
  if (napi_get_typedarray_info(info.Env(), info[index], &type, length, &p, nullptr, nullptr) != napi_ok ||
      type != napi_uint8_array)
    return false;
  *data = static_cast<uint8_t*>(p);
  return true;
}

bool getIndex(const Napi::CallbackInfo& info, size_t index, size_t* out) {
  double d = 0;
  if (napi_get_value_double(info.Env(), info[index], &d) != napi_ok || !(d >= 0) || d > 9007199254740991.0) {
    Napi::RangeError::New(info.Env(), "NVX: expected a non-negative integer").ThrowAsJavaScriptException();
    return false;
  }
  *out = size_t(d);
  return true;
}

bool getKey(const Napi::CallbackInfo& info, size_t index, uint32_t* out) {
  if (napi_get_value_uint32(info.Env(), info[index], out) != napi_ok) {
    Napi::TypeError::New(info.Env(), "NVX: expected a uint32 mask key").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

bool getState(const Napi::CallbackInfo& info, size_t index, nvx::StreamState** out) {
  void* data = nullptr;
  size_t length = 0;
  if (napi_get_arraybuffer_info(info.Env(), info[index], &data, &length) != napi_ok || length < sizeof(nvx::StreamState) ||
      reinterpret_cast<uintptr_t>(data) % alignof(nvx::StreamState) != 0) {
    Napi::TypeError::New(info.Env(), "NVX: expected the validator state buffer").ThrowAsJavaScriptException();
    return false;
  }
  *out = reinterpret_cast<nvx::StreamState*>(data);
  return true;
}

const Kernel* kernelOf(const Napi::CallbackInfo& info) { return static_cast<const Kernel*>(info.Data()); }

Napi::Value Bool(const Napi::CallbackInfo& info, bool value) { return Napi::Boolean::New(info.Env(), value); }

Napi::Value Mask(const Napi::CallbackInfo& info) {
  uint8_t *src = nullptr, *dst = nullptr;
  size_t srcLength = 0, dstLength = 0, offset = 0, length = 0;
  uint32_t key = 0;
  if (!getBytes(info, 0, &src, &srcLength) || !getBytes(info, 1, &dst, &dstLength)) return Napi::Value();
  if (!getIndex(info, 2, &offset) || !getIndex(info, 3, &length) || !getKey(info, 4, &key)) return Napi::Value();
  if (length > srcLength || offset > dstLength || length > dstLength - offset) {
    Napi::RangeError::New(info.Env(), "NVX: mask range is out of bounds").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  kernelOf(info)->mask(src, dst + offset, length, key);
  return Bool(info, true);
}

Napi::Value Unmask(const Napi::CallbackInfo& info) {
  uint8_t* p = nullptr;
  size_t length = 0;
  uint32_t key = 0;
  if (!getBytes(info, 0, &p, &length)) return Napi::Value();
  if (!getKey(info, 1, &key)) return Napi::Value();
  kernelOf(info)->mask(p, p, length, key);
  return Bool(info, true);
}

Napi::Value IsValidUtf8(const Napi::CallbackInfo& info) {
  uint8_t* p = nullptr;
  size_t length = 0;
  if (!getBytes(info, 0, &p, &length)) return Napi::Value();
  return Bool(info, nvx::isValidUtf8(kernelOf(info), p, length));
}

// push(state, chunk) takes the whole chunk: two fewer argument conversions on the hot path.
Napi::Value Push(const Napi::CallbackInfo& info) {
  nvx::StreamState* st = nullptr;
  uint8_t* p = nullptr;
  size_t length = 0;
  if (!getState(info, 0, &st)) return Napi::Value();
  if (!getBytes(info, 1, &p, &length)) return Napi::Value();
  size_t start = 0, end = length;
  if (info.Length() > 2) {
    if (!getIndex(info, 2, &start) || !getIndex(info, 3, &end)) return Napi::Value();
    if (start > end || end > length) {
      Napi::RangeError::New(info.Env(), "NVX: push range is out of bounds").ThrowAsJavaScriptException();
      return Napi::Value();
    }
  }
  return Bool(info, nvx::streamPush(kernelOf(info), st, p + start, end - start));
}

Napi::Value UnmaskPush(const Napi::CallbackInfo& info) {
  nvx::StreamState* st = nullptr;
  uint8_t* p = nullptr;
  size_t length = 0;
  uint32_t key = 0;
  if (!getState(info, 0, &st)) return Napi::Value();
  if (!getBytes(info, 1, &p, &length)) return Napi::Value();
  if (!getKey(info, 2, &key)) return Napi::Value();
  return Bool(info, nvx::streamUnmaskPush(kernelOf(info), st, p, length, key));
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
  void* data = const_cast<Kernel*>(k);
  Napi::Object fns = Napi::Object::New(env);
  fns.Set("name", Napi::String::New(env, k->name));
  fns.Set("mask", Napi::Function::New(env, Mask, "mask", data));
  fns.Set("unmask", Napi::Function::New(env, Unmask, "unmask", data));
  fns.Set("isValidUtf8", Napi::Function::New(env, IsValidUtf8, "isValidUtf8", data));
  fns.Set("push", Napi::Function::New(env, Push, "push", data));
  fns.Set("unmaskPush", Napi::Function::New(env, UnmaskPush, "unmaskPush", data));
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
