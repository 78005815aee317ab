//! std::thread::spawn, scoped threads, names, thread_local! with
//! destructors, Mutex and Condvar, park/unpark, channels.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread;

static DROPS: AtomicUsize = AtomicUsize::new(0);

struct Noisy(usize);

impl Drop for Noisy {
    fn drop(&mut self) {
        DROPS.fetch_add(self.0, Ordering::SeqCst);
    }
}

thread_local! {
    static LOCAL: RefCell<Option<Noisy>> = const { RefCell::new(None) };
    static COUNTER: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

fn main() {
    // Threads with results, each with its own thread-local value whose
    // destructor runs when the thread ends.
    let handles: Vec<_> = (1..=8)
        .map(|i| {
            thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || {
                    LOCAL.with(|l| *l.borrow_mut() = Some(Noisy(i)));
                    COUNTER.with(|c| c.set(c.get() + i as u32));
                    let name = thread::current().name().unwrap().to_string();
                    (name, COUNTER.with(|c| c.get()))
                })
                .unwrap()
        })
        .collect();
    for (i, h) in handles.into_iter().enumerate() {
        let (name, counter) = h.join().unwrap();
        assert_eq!(name, format!("worker-{}", i + 1));
        assert_eq!(counter, i as u32 + 1);
    }
    println!("tls destructors: {}", DROPS.load(Ordering::SeqCst));
    assert_eq!(COUNTER.with(|c| c.get()), 0, "the main thread's copy is its own");

    // A Mutex-protected counter from many threads.
    let total = Arc::new(Mutex::new(0u64));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let total = Arc::clone(&total);
            thread::spawn(move || {
                for _ in 0..10_000 {
                    *total.lock().unwrap() += 1;
                }
            })
        })
        .collect();
    handles.into_iter().for_each(|h| h.join().unwrap());
    println!("mutex: {}", *total.lock().unwrap());

    // Condvar: a producer hands values to a consumer one at a time.
    let pair = Arc::new((Mutex::new(None::<u32>), Condvar::new()));
    let consumer = {
        let pair = Arc::clone(&pair);
        thread::spawn(move || {
            let (lock, cv) = &*pair;
            let mut sum = 0;
            for _ in 0..100 {
                let mut slot = cv.wait_while(lock.lock().unwrap(), |s| s.is_none()).unwrap();
                sum += slot.take().unwrap();
                cv.notify_all();
            }
            sum
        })
    };
    {
        let (lock, cv) = &*pair;
        for v in 1..=100 {
            let mut slot = cv.wait_while(lock.lock().unwrap(), |s| s.is_some()).unwrap();
            *slot = Some(v);
            cv.notify_all();
        }
    }
    println!("condvar: {}", consumer.join().unwrap());

    // Scoped threads borrowing from the stack, and a channel.
    let data = [1u64, 2, 3, 4, 5, 6, 7, 8];
    let (tx, rx) = mpsc::channel();
    thread::scope(|s| {
        for chunk in data.chunks(2) {
            let tx = tx.clone();
            s.spawn(move || tx.send(chunk.iter().sum::<u64>()).unwrap());
        }
    });
    drop(tx);
    println!("scoped + channel: {}", rx.iter().sum::<u64>());

    // park / unpark.
    let main = thread::current();
    let t = thread::spawn(move || main.unpark());
    thread::park();
    t.join().unwrap();
    println!("park: ok");

    // The main thread's own thread-local destructor runs at exit (not
    // visible here); set one to exercise the registration.
    LOCAL.with(|l| *l.borrow_mut() = Some(Noisy(100)));
}
