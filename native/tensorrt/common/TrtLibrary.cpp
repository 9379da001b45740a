#include "TrtLibrary.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <utility>

#ifndef _WIN32
#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>
#endif

#include "../../engine/Status.h"

namespace trtn::trt {

namespace {

constexpr const char* kNvinferSoname = "libnvinfer.so.11";
constexpr const char* kOnnxParserSoname = "libnvonnxparser.so.11";
constexpr const char* kPluginSoname = "libnvinfer_plugin.so.11";
constexpr const char* kLoaderSearchOrigin = "loader search path: LD_LIBRARY_PATH, rpath, ldconfig cache";

// Where the Debian/Ubuntu and RHEL packages, the tar release (by convention) and the CUDA
// toolkit's lib64 (some installers copy TensorRT there) put the libraries.
const char* const kStandardDirs[] = {
    "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/local/tensorrt/lib", "/opt/tensorrt/lib",
    "/usr/local/cuda/lib64",
};

std::string envOrEmpty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::vector<std::string> splitPathList(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(':', start);
    if (end == std::string::npos) end = list.size();
    if (end > start) out.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string joinPath(const std::string& dir, const std::string& name) {
  if (!dir.empty() && dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

std::string dirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

#ifndef _WIN32
bool isDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The python3 / python3.X folders of a lib directory, sorted.
std::vector<std::string> pythonDirs(const std::string& libDir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(libDir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "python3" || name.rfind("python3.", 0) == 0) out.push_back(joinPath(libDir, name));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}
#endif

// Owns one dlopen handle; the libraries that end up in use are released from it and stay loaded
// until exit, because TensorRT objects may still be destroyed after static destructors run.
class LibraryHandle {
 public:
  LibraryHandle() = default;
  explicit LibraryHandle(void* handle) : handle_(handle) {}
  LibraryHandle(const LibraryHandle&) = delete;
  LibraryHandle& operator=(const LibraryHandle&) = delete;
  LibraryHandle(LibraryHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  LibraryHandle& operator=(LibraryHandle&& other) noexcept {
    if (this != &other) {
      close();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  ~LibraryHandle() { close(); }

  explicit operator bool() const { return handle_ != nullptr; }
  void* symbol(const char* name) const {
#ifndef _WIN32
    return handle_ ? ::dlsym(handle_, name) : nullptr;
#else
    (void)name;
    return nullptr;
#endif
  }
  void keepLoaded() { handle_ = nullptr; }

 private:
  void close() {
#ifndef _WIN32
    if (handle_) ::dlclose(handle_);
#endif
    handle_ = nullptr;
  }
  void* handle_ = nullptr;
};

// dlopen with the loader's message, minus the path it repeats.
LibraryHandle openLibrary(const std::string& path, std::string* error) {
#ifndef _WIN32
  ::dlerror();
  void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* msg = ::dlerror();
    std::string text = msg ? msg : "dlopen failed";
    std::string prefix = path + ": ";
    if (text.rfind(prefix, 0) == 0) text = text.substr(prefix.size());
    *error = text;
  }
  return LibraryHandle(h);
#else
  (void)path;
  *error = "loading TensorRT at run time is implemented for Linux only";
  return LibraryHandle();
#endif
}

// The file a symbol was loaded from (resolves a bare soname to the loader's choice).
std::string fileOf(void* symbol, const std::string& fallback) {
#ifndef _WIN32
  Dl_info info{};
  if (symbol && ::dladdr(symbol, &info) != 0 && info.dli_fname && info.dli_fname[0] == '/') return info.dli_fname;
#else
  (void)symbol;
#endif
  return fallback;
}

struct OptionalLibrary {
  LibraryHandle handle;
  std::string path;
  std::string reason;  // empty when loaded
};

// libnvonnxparser / libnvinfer_plugin: next to libnvinfer first (one install), then the usual
// order. `required` is the symbol that must be present for the library to count as loaded.
OptionalLibrary loadCompanion(const char* soname, const char* required, const std::string& nvinferPath,
                              const LoaderEnvironment& env) {
  std::vector<LibraryCandidate> candidates;
  candidates.push_back({joinPath(dirName(nvinferPath), soname), "next to libnvinfer"});
  for (LibraryCandidate& c : libraryCandidates(soname, env)) candidates.push_back(std::move(c));
  std::set<std::string> tried;
  std::string errors;
  for (const LibraryCandidate& c : candidates) {
    if (!tried.insert(c.path).second) continue;
    std::string error;
    LibraryHandle h = openLibrary(c.path, &error);
    if (h && !h.symbol(required)) error = concat("it does not export ", required);
    if (error.empty()) {
      OptionalLibrary out;
      out.path = fileOf(h.symbol(required), c.path);
      out.handle = std::move(h);
      return out;
    }
    errors += concat("\n  ", c.path, " (", c.origin, "): ", error);
  }
  OptionalLibrary out;
  out.reason = concat(soname, " was not found; tried:", errors);
  return out;
}

struct LoadState {
  bool loaded = false;
  std::string error;
  TensorRTLibraries libs;
  std::vector<LibraryAttempt> attempts;
  TensorRTProbe probe;
};

LoadState loadOnce() {
  LoadState s;
  LoaderEnvironment env = LoaderEnvironment::fromProcess();
  std::vector<std::string> refusals;  // libraries that opened but cannot be used
  for (const LibraryCandidate& c : libraryCandidates(kNvinferSoname, env)) {
    LibraryAttempt attempt{c.path, c.origin, ""};
    LibraryHandle h = openLibrary(c.path, &attempt.error);
    if (h) {
      void* getVersion = h.symbol("getInferLibVersion");
      std::string file = fileOf(getVersion, c.path);
      void* builder = h.symbol("createInferBuilder_INTERNAL");
      void* runtime = h.symbol("createInferRuntime_INTERNAL");
      if (!getVersion || !builder || !runtime) {
        std::string missing;
        for (auto [name, sym] : {std::pair<const char*, void*>{"getInferLibVersion", getVersion},
                                 {"createInferBuilder_INTERNAL", builder},
                                 {"createInferRuntime_INTERNAL", runtime}})
          if (!sym) missing += missing.empty() ? name : std::string(", ") + name;
        attempt.error = concat("found ", kNvinferSoname, " at ", file, " but it does not export ", missing,
                               " (not a TensorRT ", kTensorRTMajor, " libnvinfer)");
        refusals.push_back(attempt.error);
      } else {
        int32_t version = reinterpret_cast<int32_t (*)()>(getVersion)();
        int32_t minimum = minimumTensorRTVersion();
        if (version / 10000 != kTensorRTMajor) {
          attempt.error = concat("found ", kNvinferSoname, " at ", file, " reporting TensorRT ",
                                 formatTensorRTVersion(version), "; this build needs TensorRT ", kTensorRTMajor);
          refusals.push_back(attempt.error);
        } else if (version < minimum) {
          // Newer minors append virtual methods: code compiled against newer headers could call
          // a vtable slot an older library does not have.
          attempt.error = concat("found ", kNvinferSoname, " at ", file, " reporting TensorRT ", formatTensorRTVersion(version),
                                 "; this build was compiled against the TensorRT ", minimum / 10000, ".", (minimum / 100) % 100,
                                 " headers and needs TensorRT ", minimum / 10000, ".", (minimum / 100) % 100, " or newer");
          refusals.push_back(attempt.error);
        } else {
          s.loaded = true;
          s.libs.nvinferPath = file;
          s.libs.version = version;
          s.libs.createInferBuilder = builder;
          s.libs.createInferRuntime = runtime;
          s.libs.createInferRefitter = h.symbol("createInferRefitter_INTERNAL");
          s.libs.getPluginRegistry = h.symbol("getPluginRegistry");
          h.keepLoaded();
          s.attempts.push_back(std::move(attempt));
          break;
        }
      }
    }
    s.attempts.push_back(std::move(attempt));
  }

  if (s.loaded) {
    OptionalLibrary parser = loadCompanion(kOnnxParserSoname, "createNvOnnxParser_INTERNAL", s.libs.nvinferPath, env);
    if (parser.handle) {
      s.libs.createOnnxParser = parser.handle.symbol("createNvOnnxParser_INTERNAL");
      s.libs.createOnnxParserRefitter = parser.handle.symbol("createNvOnnxParserRefitter_INTERNAL");
      s.libs.onnxParserPath = parser.path;
      parser.handle.keepLoaded();
    } else {
      s.libs.onnxParserReason = parser.reason;
    }
    OptionalLibrary plugins = loadCompanion(kPluginSoname, "initLibNvInferPlugins", s.libs.nvinferPath, env);
    if (plugins.handle) {
      s.libs.initLibNvInferPlugins = plugins.handle.symbol("initLibNvInferPlugins");
      s.libs.pluginPath = plugins.path;
      plugins.handle.keepLoaded();
    } else {
      s.libs.pluginReason = plugins.reason;
    }
    s.probe = {true, concat("TensorRT ", formatTensorRTVersion(s.libs.version), " (", s.libs.nvinferPath, ")"),
               s.libs.nvinferPath, s.libs.version};
    return s;
  }

  std::string headline = refusals.empty() ? concat(kNvinferSoname, " (TensorRT ", kTensorRTMajor, ") was not found")
                                          : refusals.front();
  std::string tried;
  for (const LibraryAttempt& a : s.attempts) tried += concat("\n  ", a.path, " (", a.origin, "): ", a.error);
  s.error = concat(headline, ". Tried, in order:", tried,
                   "\nInstall TensorRT ", kTensorRTMajor,
                   " (the distribution's libnvinfer packages, the tar release with TENSORRT_LIB_DIR=<release>/lib, or the "
                   "pip wheel whose tensorrt_libs folder is found in an active VIRTUAL_ENV or CONDA_PREFIX); "
                   "docs/backends.md describes each");
  s.probe = {false, s.error, "", 0};
  return s;
}

const LoadState& state() {
  static const LoadState s = loadOnce();  // thread-safe initialisation (C++11 statics)
  return s;
}

}  // namespace

LoaderEnvironment LoaderEnvironment::fromProcess() {
  LoaderEnvironment env;
  env.tensorrtLibDir = envOrEmpty("TENSORRT_LIB_DIR");
  env.virtualEnv = envOrEmpty("VIRTUAL_ENV");
  env.condaPrefix = envOrEmpty("CONDA_PREFIX");
  env.home = envOrEmpty("HOME");
  return env;
}

std::vector<LibraryCandidate> libraryCandidates(const std::string& soname, const LoaderEnvironment& env) {
  std::vector<LibraryCandidate> out;
  for (const std::string& dir : splitPathList(env.tensorrtLibDir)) out.push_back({joinPath(dir, soname), "TENSORRT_LIB_DIR"});
  out.push_back({soname, kLoaderSearchOrigin});
  for (const char* dir : kStandardDirs) out.push_back({joinPath(dir, soname), dir});
#ifndef _WIN32
  // pip wheels (tensorrt-cuXX-libs) put the libraries in <site-packages>/tensorrt_libs. Only
  // folders that exist are listed: there are many site-packages and most hold no TensorRT.
  std::vector<std::pair<std::string, std::string>> libDirs;  // (lib dir, origin)
  if (!env.virtualEnv.empty()) libDirs.push_back({joinPath(env.virtualEnv, "lib"), "VIRTUAL_ENV"});
  if (!env.condaPrefix.empty()) libDirs.push_back({joinPath(env.condaPrefix, "lib"), "CONDA_PREFIX"});
  libDirs.push_back({"/usr/lib", "/usr/lib"});
  libDirs.push_back({"/usr/local/lib", "/usr/local/lib"});
  if (!env.home.empty()) libDirs.push_back({joinPath(env.home, ".local/lib"), "~/.local/lib"});
  for (const auto& [libDir, origin] : libDirs)
    for (const std::string& python : pythonDirs(libDir))
      for (const char* packages : {"site-packages", "dist-packages"}) {
        std::string wheelDir = joinPath(joinPath(python, packages), "tensorrt_libs");
        if (isDirectory(wheelDir)) out.push_back({joinPath(wheelDir, soname), concat("pip wheel tensorrt_libs (", origin, ")")});
      }
#endif
  return out;
}

const TensorRTLibraries& loadTensorRT() {
  const LoadState& s = state();
  if (!s.loaded) throw EngineError(StatusCode::kTensorRTUnavailable, s.error);
  return s.libs;
}

const TensorRTProbe& probeTensorRT() { return state().probe; }

const std::vector<LibraryAttempt>& tensorrtSearchLog() { return state().attempts; }

int32_t minimumTensorRTVersion() {
#ifdef TRTN_TENSORRT_HEADERS_VERSION
  // "major.minor.patch" of the headers the backend was compiled against; patches add no methods.
  int major = 0, minor = 0;
  if (std::sscanf(TRTN_TENSORRT_HEADERS_VERSION, "%d.%d", &major, &minor) == 2) return major * 10000 + minor * 100;
#endif
  return kTensorRTMajor * 10000;
}

std::string formatTensorRTVersion(int32_t version) {
  return concat(version / 10000, ".", (version / 100) % 100, ".", version % 100);
}

}  // namespace trtn::trt
