/* A stand-in for one of the speech libraries WebKitGTK links (flite's voices and a lexicon), which
 * Earshot never speaks with. Each real one carries megabytes of tables the loader must relocate in
 * every WebKit process; this one carries none. build.rs compiles it once per library, under that
 * library's name, and window.rs explains how WebKit's processes find it.
 *
 * Built with VOICE=cmu_us_awb (say), it is that voice in name only: registering it registers
 * flite's small "kal" voice instead, so a page that did speak would still be heard. Built without
 * VOICE it exports nothing, for the grapheme lexicon, whose symbols nothing in the app imports. */

#ifdef VOICE
typedef struct cst_voice_struct cst_voice;
cst_voice *register_cmu_us_kal(const char *voxdir);
void unregister_cmu_us_kal(cst_voice *voice);

#define JOIN(a, b) a##b
#define NAMED(prefix, voice) JOIN(prefix, voice)

cst_voice *NAMED(register_, VOICE)(const char *voxdir) { return register_cmu_us_kal(voxdir); }
void NAMED(unregister_, VOICE)(cst_voice *voice) { unregister_cmu_us_kal(voice); }
#endif
